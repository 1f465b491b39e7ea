/* A new network namespace starts with "lo" down; tests expect 127.0.0.1 to work. */
#ifndef NSJUNIT_NETWORK_H
#define NSJUNIT_NETWORK_H

void bring_up_loopback(void);

#endif

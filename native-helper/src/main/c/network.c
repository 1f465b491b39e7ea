#include "network.h"

#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "errors.h"

void bring_up_loopback(void)
{
	struct ifreq ifr;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		die_with_error(EXIT_SANDBOX_SETUP, NULL, "bringing up loopback",
			       "socket(AF_INET, SOCK_DGRAM)");
	memset(&ifr, 0, sizeof ifr);
	strcpy(ifr.ifr_name, "lo");
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0)
		die_with_error(EXIT_SANDBOX_SETUP, NULL, "bringing up loopback",
			       "ioctl(\"lo\", SIOCGIFFLAGS)");
	ifr.ifr_flags |= IFF_UP;
	if (ioctl(fd, SIOCSIFFLAGS, &ifr) < 0)
		die_with_error(EXIT_SANDBOX_SETUP, NULL, "bringing up loopback",
			       "ioctl(\"lo\", SIOCSIFFLAGS, IFF_UP)");
	close(fd);
}

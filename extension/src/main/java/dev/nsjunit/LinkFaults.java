package dev.nsjunit;

/** Faults on a link of the test's {@link Topology}, applied while the test runs. */
public interface LinkFaults {
  /** Both ends down: senders get "Network is unreachable" at once. */
  void down();

  void up();

  /** Silent drop both ways: connects and reads time out, as in a real partition. */
  void partition();

  /** Silent drop of what {@code from} sends to {@code to} only. */
  void partitionOneWay(String from, String to);

  /** Ends {@link #partition()} and {@link #partitionOneWay}. */
  void heal();

  /** Bandwidth limit (token bucket), for example {@code "1mbit"}. */
  void rate(String rate);

  void clearRate();

  /** Adds one-way delay on each side (netem), for example {@code "100ms"}. */
  void delay(String delay);

  /** Drops a share of packets (netem), for example {@code "10%"}. */
  void loss(String percent);

  /** Removes delay and loss. */
  void clearNetem();
}

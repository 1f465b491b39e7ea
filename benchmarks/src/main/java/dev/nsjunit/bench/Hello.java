package dev.nsjunit.bench;

/** The JVM floor: started with the same classpath (and options) as a sandbox's child JVM. */
public final class Hello {
  private Hello() {}

  public static void main(String[] args) {
    System.out.println("hello");
  }
}

package com.example.modular;

/** A class of the named module the tests run in. */
public final class Clock {
  private Clock() {}

  public static String module() {
    return Clock.class.getModule().getName();
  }
}

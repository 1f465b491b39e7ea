package com.example.mt;

import org.junit.platform.launcher.core.LauncherFactory;
import org.junit.platform.launcher.listeners.SummaryGeneratingListener;
import static org.junit.platform.engine.discovery.DiscoverySelectors.selectClass;
import org.junit.platform.launcher.core.LauncherDiscoveryRequestBuilder;

public class Main {
  public static void main(String[] args) {
    SummaryGeneratingListener l = new SummaryGeneratingListener();
    LauncherFactory.create().execute(LauncherDiscoveryRequestBuilder.request().selectors(selectClass(MtTest.class)).build(), l);
    l.getSummary().printTo(new java.io.PrintWriter(System.out));
    l.getSummary().printFailuresTo(new java.io.PrintWriter(System.out), 20);
  }
}

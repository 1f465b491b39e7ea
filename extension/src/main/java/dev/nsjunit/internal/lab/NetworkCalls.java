package dev.nsjunit.internal.lab;

import dev.nsjunit.internal.channel.FrameWriter;
import dev.nsjunit.internal.channel.Message;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

/** Calls from the test's Network to the parent, and the answers routed back by id. */
public final class NetworkCalls {
  private static final Map<Integer, CompletableFuture<Message.NetworkAnswer>> pending =
      new ConcurrentHashMap<>();
  private static final AtomicInteger ids = new AtomicInteger();
  private static volatile FrameWriter writer;

  private NetworkCalls() {}

  public static void connect(FrameWriter channel) {
    writer = channel;
  }

  public static void answered(Message.NetworkAnswer answer) {
    CompletableFuture<Message.NetworkAnswer> f = pending.remove(answer.id());
    if (f != null) {
      f.complete(answer);
    }
  }

  static String call(String operation, List<String> args, Duration timeout) {
    FrameWriter w = writer;
    if (w == null) {
      throw new IllegalStateException(
          "the Network works only inside a sandbox of a test with @Topology");
    }
    int id = ids.incrementAndGet();
    CompletableFuture<Message.NetworkAnswer> answer = new CompletableFuture<>();
    pending.put(id, answer);
    try {
      w.send(new Message.NetworkCall(id, operation, args));
      Message.NetworkAnswer a = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (a.error() != null) {
        throw new IllegalStateException(a.error());
      }
      return a.value();
    } catch (IOException e) {
      throw new IllegalStateException(
          "the channel to the parent failed during " + operation + ": " + e, e);
    } catch (TimeoutException e) {
      throw new IllegalStateException(
          "the parent did not answer " + operation + " " + args + " within " + timeout);
    } catch (ExecutionException e) {
      throw new IllegalStateException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted during " + operation);
    } finally {
      pending.remove(id);
    }
  }
}

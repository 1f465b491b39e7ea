package dev.nsjunit.internal.run;

import dev.nsjunit.internal.channel.FrameWriter;
import dev.nsjunit.internal.channel.Message;
import java.io.IOException;

/** What the threads watching one sandbox report to the test thread, in arrival order. */
public sealed interface SandboxEvent {
  record Connected(FrameWriter connection) implements SandboxEvent {}

  record Received(Message message) implements SandboxEvent {}

  /** The channel ended: cleanly (error null) or broken (corrupt, truncated). */
  record ChannelEnded(IOException error) implements SandboxEvent {}

  record Output(boolean stderr, byte[] bytes) implements SandboxEvent {}

  record OutputEnded(boolean stderr) implements SandboxEvent {}

  /** The child marked the end of its test's output on this stream (see OutputMark). */
  record OutputComplete(boolean stderr) implements SandboxEvent {}

  record Exited(int exitCode) implements SandboxEvent {}
}

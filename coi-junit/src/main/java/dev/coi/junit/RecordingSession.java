package dev.coi.junit;

import dev.coi.api.ExecResult;
import dev.coi.api.RunningCommand;
import dev.coi.api.Session;
import dev.coi.api.SessionInfo;
import dev.coi.api.TerminalSize;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

/**
 * The session a test gets: the real one, with what its commands write kept in an {@link OutputTail}
 * for the failure report. Everything else is passed on unchanged.
 */
final class RecordingSession implements Session {
  private final Session session;
  private final OutputTail tail = new OutputTail();

  RecordingSession(Session session) {
    this.session = session;
  }

  OutputTail tail() {
    return tail;
  }

  @Override
  public ExecResult run(List<String> command) {
    OutputTail.Command recorded = tail.started(command);
    ExecResult result = session.run(command);
    byte[] out = result.stdout().getBytes(StandardCharsets.UTF_8);
    byte[] err = result.stderr().getBytes(StandardCharsets.UTF_8);
    recorded.stdout(out, 0, out.length);
    recorded.stderr(err, 0, err.length);
    recorded.exited(result.exitCode());
    return result;
  }

  @Override
  public RunningCommand exec(List<String> command) {
    return recorded(session.exec(command), tail.started(command));
  }

  @Override
  public RunningCommand exec(List<String> command, TerminalSize terminal) {
    return recorded(session.exec(command, terminal), tail.started(command));
  }

  @Override
  public RunningCommand attach(TerminalSize terminal) {
    return recorded(session.attach(terminal), tail.started(List.of("(attach)")));
  }

  private static RunningCommand recorded(RunningCommand command, OutputTail.Command recorded) {
    InputStream stdout = new Tee(command.stdout(), recorded, true);
    InputStream stderr = new Tee(command.stderr(), recorded, false);
    return new RunningCommand() {
      @Override
      public OutputStream stdin() {
        return command.stdin();
      }

      @Override
      public InputStream stdout() {
        return stdout;
      }

      @Override
      public InputStream stderr() {
        return stderr;
      }

      @Override
      public void resize(TerminalSize size) {
        command.resize(size);
      }

      @Override
      public int waitFor() {
        int code = command.waitFor();
        recorded.exited(code);
        return code;
      }

      @Override
      public void close() {
        command.close();
      }
    };
  }

  /** A stream that copies what is read from it into the tail. */
  private static final class Tee extends FilterInputStream {
    private final OutputTail.Command recorded;
    private final boolean isStdout;

    Tee(InputStream in, OutputTail.Command recorded, boolean isStdout) {
      super(in);
      this.recorded = recorded;
      this.isStdout = isStdout;
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        keep(new byte[] {(byte) b}, 0, 1);
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        keep(b, off, n);
      }
      return n;
    }

    private void keep(byte[] b, int off, int len) {
      if (isStdout) {
        recorded.stdout(b, off, len);
      } else {
        recorded.stderr(b, off, len);
      }
    }
  }

  @Override
  public String id() {
    return session.id();
  }

  @Override
  public String name() {
    return session.name();
  }

  @Override
  public Path workspace() {
    return session.workspace();
  }

  @Override
  public int slot() {
    return session.slot();
  }

  @Override
  public boolean persistent() {
    return session.persistent();
  }

  @Override
  public void startAgent() {
    session.startAgent();
  }

  @Override
  public void detach() {
    session.detach();
  }

  @Override
  public void push(Path hostPath, String containerPath) {
    session.push(hostPath, containerPath);
  }

  @Override
  public void pull(String containerPath, Path hostPath) {
    session.pull(containerPath, hostPath);
  }

  @Override
  public SessionInfo save() {
    return session.save();
  }

  @Override
  public SessionInfo info() {
    return session.info();
  }

  @Override
  public void close() {
    session.close();
  }

  @Override
  public String toString() {
    return "sandbox " + session.name();
  }
}

package dev.coi.incus.backend;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Rcode;
import org.xbill.DNS.Section;

/**
 * A DNS server on 127.0.0.1 for tests: answers each question from what the test set for its name
 * and type (records, or an error code), or not at all (a timeout). Loopback only; UDP only.
 */
final class TinyDnsServer implements AutoCloseable {
  /** What a question gets: records for the answer section, or an rcode, or silence. */
  record Reply(List<org.xbill.DNS.Record> answers, int rcode, boolean silent) {
    static Reply of(org.xbill.DNS.Record... answers) {
      return new Reply(List.of(answers), Rcode.NOERROR, false);
    }

    static Reply error(int rcode) {
      return new Reply(List.of(), rcode, false);
    }

    static Reply silence() {
      return new Reply(List.of(), Rcode.NOERROR, true);
    }
  }

  private final DatagramSocket socket;
  private final Map<String, Reply> replies = new ConcurrentHashMap<>();
  private final AtomicInteger questions = new AtomicInteger();
  private final Thread thread;

  TinyDnsServer() throws SocketException {
    socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
    thread = new Thread(this::serve, "tiny-dns");
    thread.setDaemon(true);
    thread.start();
  }

  InetSocketAddress address() {
    return (InetSocketAddress) socket.getLocalSocketAddress();
  }

  /** From now on, questions for {@code name} (absolute, {@code api.example.test.}) of a type. */
  void answer(String name, int type, Reply reply) {
    replies.put(name.toLowerCase() + "/" + type, reply);
  }

  int questions() {
    return questions.get();
  }

  private void serve() {
    byte[] buffer = new byte[512];
    while (!socket.isClosed()) {
      DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
      try {
        socket.receive(packet);
        questions.incrementAndGet();
        Message query = new Message(java.util.Arrays.copyOf(buffer, packet.getLength()));
        org.xbill.DNS.Record question = query.getQuestion();
        Reply reply =
            replies.getOrDefault(
                question.getName().toString().toLowerCase() + "/" + question.getType(),
                Reply.error(Rcode.NXDOMAIN));
        if (reply.silent()) {
          continue;
        }
        Message response = new Message(query.getHeader().getID());
        response.getHeader().setFlag(Flags.QR);
        response.getHeader().setFlag(Flags.RD);
        response.getHeader().setFlag(Flags.RA);
        response.getHeader().setRcode(reply.rcode());
        response.addRecord(question, Section.QUESTION);
        for (org.xbill.DNS.Record record : new ArrayList<>(reply.answers())) {
          response.addRecord(record, Section.ANSWER);
        }
        byte[] wire = response.toWire();
        socket.send(new DatagramPacket(wire, wire.length, packet.getSocketAddress()));
      } catch (IOException closedOrBad) {
        // closed: the loop ends; a malformed packet: ignored
      }
    }
  }

  static Name name(String text) {
    try {
      return Name.fromString(text, Name.root);
    } catch (org.xbill.DNS.TextParseException e) {
      throw new IllegalArgumentException(e);
    }
  }

  @Override
  public void close() throws InterruptedException {
    socket.close();
    thread.join(10_000);
  }
}

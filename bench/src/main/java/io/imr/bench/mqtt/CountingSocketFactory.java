package io.imr.bench.mqtt;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.concurrent.atomic.LongAdder;
import javax.net.SocketFactory;

/**
 * The sockets of one MQTT client, counting every byte read from and written to them: given to Paho with
 * {@code MqttConnectOptions.setSocketFactory}, which creates an unconnected socket, connects it and reads and
 * writes through its streams. The counts add up over every socket the factory made (a client that reconnected
 * counts both connections).
 */
final class CountingSocketFactory extends SocketFactory {

    private final LongAdder read = new LongAdder();
    private final LongAdder written = new LongAdder();
    private final boolean tcpNoDelay;

    /** @param tcpNoDelay whether the sockets disable Nagle's algorithm (Paho itself leaves it on) */
    CountingSocketFactory(boolean tcpNoDelay) {
        this.tcpNoDelay = tcpNoDelay;
    }

    /** Bytes read from the sockets so far. */
    long read() {
        return read.sum();
    }

    /** Bytes written to the sockets so far. */
    long written() {
        return written.sum();
    }

    @Override
    public Socket createSocket() throws IOException {
        Socket s = new CountingSocket();
        s.setTcpNoDelay(tcpNoDelay);
        return s;
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        return connected(new InetSocketAddress(host, port), new InetSocketAddress(localHost, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port), null);
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort)
            throws IOException {
        return connected(new InetSocketAddress(address, port), new InetSocketAddress(localAddress, localPort));
    }

    private Socket connected(InetSocketAddress remote, InetSocketAddress local) throws IOException {
        Socket s = createSocket();
        try {
            if (local != null) {
                s.bind(local);
            }
            s.connect(remote);
            return s;
        } catch (IOException e) {
            s.close();
            throw e;
        }
    }

    /** A plain socket whose streams count what passes through them. */
    private final class CountingSocket extends Socket {

        private InputStream in;
        private OutputStream out;

        @Override
        public synchronized InputStream getInputStream() throws IOException {
            if (in == null) {
                in = new CountingInputStream(super.getInputStream());
            }
            return in;
        }

        @Override
        public synchronized OutputStream getOutputStream() throws IOException {
            if (out == null) {
                out = new CountingOutputStream(super.getOutputStream());
            }
            return out;
        }
    }

    private final class CountingInputStream extends FilterInputStream {

        CountingInputStream(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b >= 0) {
                read.increment();
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                read.add(n);
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long skipped = in.skip(n);
            if (skipped > 0) {
                read.add(skipped);
            }
            return skipped;
        }
    }

    private final class CountingOutputStream extends FilterOutputStream {

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            written.increment();
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            written.add(len);
        }
    }
}

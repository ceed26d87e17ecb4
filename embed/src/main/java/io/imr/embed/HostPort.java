package io.imr.embed;

/**
 * A {@code HOST:PORT} pair, as flags and settings write it ({@code [::1]:7000} for IPv6).
 *
 * @param host the host name or address
 * @param port 0 to 65535; 0 asks for any free port
 */
public record HostPort(String host, int port) {

    public HostPort {
        if (host == null || host.isBlank()) {
            throw new IllegalArgumentException("host must not be empty");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port must be 0 to 65535, got " + port);
        }
    }

    /**
     * Parses {@code HOST:PORT}.
     *
     * @throws IllegalArgumentException saying what the text should look like
     */
    public static HostPort parse(String text) {
        String t = text == null ? "" : text.trim();
        int colon = t.lastIndexOf(':');
        if (colon <= 0 || colon == t.length() - 1) {
            throw new IllegalArgumentException("must be HOST:PORT (like 127.0.0.1:7000), got \"" + t + "\"");
        }
        String host = t.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(t.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("must be HOST:PORT with a numeric port, got \"" + t + "\"");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("must have a port from 0 to 65535, got \"" + t + "\"");
        }
        return new HostPort(host, port);
    }

    @Override
    public String toString() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }
}

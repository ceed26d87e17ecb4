package io.imr.embed;

import io.imr.api.strategy.PerStrategyOptions;
import io.imr.api.strategy.StrategyOptions;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * imr's settings: a Java properties file, overridden by environment variables, overridden by
 * system properties. Every setting has a name starting with {@code imr.}; an environment
 * variable is the name in upper case with dots and dashes as underscores
 * ({@code imr.server.ws-listen} is {@code IMR_SERVER_WS_LISTEN}). Strategy options live in one
 * namespace per strategy, {@code imr.strategy.STRATEGY.OPTION} (like {@code imr.strategy.hybrid.ack-every}),
 * and only that strategy validates them; as environment variables {@code IMR_STRATEGY_STRATEGY_OPTION}
 * (the strategy's name up to the first underscore).
 *
 * <p>Immutable. An unknown setting, or a value of the wrong kind, is a one-line
 * {@link ConfigException} saying what is allowed.
 */
public final class ImrConfig {

    public static final String STRATEGY = "imr.strategy";
    /** The prefix of strategy options: {@code imr.strategy.STRATEGY.OPTION}. */
    public static final String STRATEGY_OPTIONS = "imr.strategy.";
    public static final String SERVER_LISTEN = "imr.server.listen";
    public static final String SERVER_WS_LISTEN = "imr.server.ws-listen";
    public static final String SERVER_DATA = "imr.server.data";
    public static final String SERVER_SECRET_FILE = "imr.server.secret-file";
    public static final String SERVER_METRICS = "imr.server.metrics";
    public static final String SERVER_HEARTBEAT = "imr.server.heartbeat";
    public static final String SERVER_HELLO_TIMEOUT = "imr.server.hello-timeout";
    public static final String SERVER_MAX_PENDING_SENDS = "imr.server.max-pending-sends";
    public static final String MAX_FRAME_BYTES = "imr.wire.max-frame-bytes";
    public static final String CLIENT_SERVER = "imr.client.server";
    public static final String CLIENT_USER = "imr.client.user";
    public static final String CLIENT_DEVICE = "imr.client.device";
    public static final String CLIENT_TOKEN = "imr.client.token";
    public static final String CLIENT_DATA = "imr.client.data";
    public static final String CLIENT_RECONNECT_INITIAL = "imr.client.reconnect-initial";
    public static final String CLIENT_RECONNECT_MAX = "imr.client.reconnect-max";
    public static final String CLIENT_SEND_WINDOW = "imr.client.send-window";
    public static final String CLIENT_RESEND_AFTER = "imr.client.resend-after";
    public static final String CLIENT_MAX_OUTBOX = "imr.client.max-outbox";

    /** Every setting and what it is, for errors and {@code --help}. */
    public static final Map<String, String> KNOWN;

    static {
        Map<String, String> k = new LinkedHashMap<>();
        k.put(STRATEGY, "the strategy by name (hybrid, seqid, ack, or any on the class path); for a client, a"
                + " comma-separated list by preference (default: every strategy on the class path)");
        k.put(SERVER_LISTEN, "HOST:PORT for TCP");
        k.put(SERVER_WS_LISTEN, "HOST:PORT for WebSocket");
        k.put(SERVER_DATA, "the server's data folder");
        k.put(SERVER_SECRET_FILE, "the file holding the token secret (default DATA/secret)");
        k.put(SERVER_METRICS, "HOST:PORT for Prometheus /metrics and the dashboard");
        k.put(SERVER_HEARTBEAT, "heartbeat interval, like 10s");
        k.put(SERVER_HELLO_TIMEOUT, "time a new connection has for its hello, like 10s");
        k.put(SERVER_MAX_PENDING_SENDS, "sends one session may have waiting for their commit");
        k.put(MAX_FRAME_BYTES, "the largest frame accepted, in bytes");
        k.put(CLIENT_SERVER, "HOST:PORT or ws://HOST:PORT/PATH");
        k.put(CLIENT_USER, "the device's user");
        k.put(CLIENT_DEVICE, "the device");
        k.put(CLIENT_TOKEN, "the device's token");
        k.put(CLIENT_DATA, "the device's data folder");
        k.put(CLIENT_RECONNECT_INITIAL, "first reconnect delay, like 100ms");
        k.put(CLIENT_RECONNECT_MAX, "longest reconnect delay, like 10s");
        k.put(CLIENT_SEND_WINDOW, "sends in flight at most");
        k.put(CLIENT_RESEND_AFTER, "resend a send not confirmed after this long, like 10s");
        k.put(CLIENT_MAX_OUTBOX, "sends waiting in the outbox at most");
        KNOWN = Collections.unmodifiableMap(k);
    }

    private final Map<String, String> values;

    private ImrConfig(Map<String, String> values) {
        this.values = Collections.unmodifiableMap(new TreeMap<>(values));
        for (String key : this.values.keySet()) {
            if (!KNOWN.containsKey(key) && !isStrategyOption(key)) {
                throw new ConfigException("unknown setting " + key + "; known settings: "
                        + String.join(", ", new TreeSet<>(KNOWN.keySet())) + ", " + STRATEGY_OPTIONS
                        + "STRATEGY.OPTION");
            }
        }
    }

    /** No settings: every default. */
    public static ImrConfig empty() {
        return new ImrConfig(Map.of());
    }

    /** Exactly these settings (no environment, no system properties). */
    public static ImrConfig of(Map<String, String> values) {
        return new ImrConfig(values);
    }

    /**
     * The file's settings (if a file is given), overridden by the environment, overridden by system properties.
     *
     * @param file a properties file, or null for none
     * @throws ConfigException when the file is missing or unreadable, or a setting is unknown
     */
    public static ImrConfig load(Path file) {
        return load(file, System.getenv(), System.getProperties());
    }

    /** As {@link #load(Path)}, with the environment and system properties given (for tests). */
    public static ImrConfig load(Path file, Map<String, String> env, Properties system) {
        Map<String, String> values = new HashMap<>();
        if (file != null) {
            Properties p = new Properties();
            try (Reader r = Files.newBufferedReader(file)) {
                p.load(r);
            } catch (NoSuchFileException e) {
                throw new ConfigException("config file " + file + " does not exist");
            } catch (IOException | IllegalArgumentException e) {
                throw new ConfigException("config file " + file + " could not be read: " + e.getMessage());
            }
            p.stringPropertyNames().forEach(k -> values.put(k.trim(), p.getProperty(k).trim()));
        }
        Map<String, String> envNames = new HashMap<>();
        KNOWN.keySet().forEach(k -> envNames.put(envName(k), k));
        env.forEach((name, value) -> {
            if (envNames.containsKey(name)) {
                values.put(envNames.get(name), value.trim());
            } else if (name.startsWith("IMR_STRATEGY_") && name.indexOf('_', "IMR_STRATEGY_".length()) > 0) {
                String rest = name.substring("IMR_STRATEGY_".length()).toLowerCase(Locale.ROOT);
                int cut = rest.indexOf('_');
                if (cut < rest.length() - 1) {
                    values.put(STRATEGY_OPTIONS + rest.substring(0, cut) + "." + rest.substring(cut + 1).replace('_', '-'),
                            value.trim());
                }
            }
        });
        system.stringPropertyNames().stream().filter(k -> k.startsWith("imr."))
                .forEach(k -> values.put(k, system.getProperty(k).trim()));
        return new ImrConfig(values);
    }

    /** The environment variable for a setting. */
    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
    }

    /** This configuration with one setting changed (null removes it). */
    public ImrConfig with(String key, String value) {
        Map<String, String> copy = new HashMap<>(values);
        if (value == null) {
            copy.remove(key);
        } else {
            copy.put(key, value);
        }
        return new ImrConfig(copy);
    }

    /** The raw text of a setting, or null. */
    public String get(String key) {
        return values.get(key);
    }

    public String string(String key, String defaultValue) {
        String v = values.get(key);
        return v == null || v.isEmpty() ? defaultValue : v;
    }

    /** A setting that must be there. */
    public String required(String key) {
        String v = values.get(key);
        if (v == null || v.isEmpty()) {
            throw new ConfigException(key + " is required (" + KNOWN.get(key) + ")");
        }
        return v;
    }

    public Duration duration(String key, Duration defaultValue) {
        String v = values.get(key);
        if (v == null || v.isEmpty()) {
            return defaultValue;
        }
        try {
            Duration d = StrategyOptions.parseDuration(v);
            if (d.isZero()) {
                throw new IllegalArgumentException("must be more than 0, got \"" + v + "\"");
            }
            return d;
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + " " + e.getMessage());
        }
    }

    public int integer(String key, int defaultValue, int min, int max) {
        String v = values.get(key);
        if (v == null || v.isEmpty()) {
            return defaultValue;
        }
        try {
            int n = Integer.parseInt(v);
            if (n < min || n > max) {
                throw new NumberFormatException();
            }
            return n;
        } catch (NumberFormatException e) {
            throw new ConfigException(key + " must be a whole number from " + min + " to " + max + ", got \"" + v + "\"");
        }
    }

    /** A {@code HOST:PORT} setting, or null when unset. */
    public HostPort hostPort(String key) {
        String v = values.get(key);
        if (v == null || v.isEmpty()) {
            return null;
        }
        try {
            return HostPort.parse(v);
        } catch (IllegalArgumentException e) {
            throw new ConfigException(key + " " + e.getMessage());
        }
    }

    /** A folder or file setting, or the default. */
    public Path path(String key, Path defaultValue) {
        String v = values.get(key);
        return v == null || v.isEmpty() ? defaultValue : Path.of(v);
    }

    /** Every strategy's options ({@code imr.strategy.STRATEGY.OPTION}), each in its strategy's namespace. */
    public PerStrategyOptions strategyOptions() {
        Map<String, String> options = new HashMap<>();
        values.forEach((k, v) -> {
            if (isStrategyOption(k)) {
                options.put(k.substring(STRATEGY_OPTIONS.length()), v);
            }
        });
        return PerStrategyOptions.parse(options);
    }

    private static boolean isStrategyOption(String key) {
        if (!key.startsWith(STRATEGY_OPTIONS)) {
            return false;
        }
        int dot = key.indexOf('.', STRATEGY_OPTIONS.length());
        return dot > STRATEGY_OPTIONS.length() && dot < key.length() - 1;
    }

    /** Every setting made, by name. */
    public Map<String, String> asMap() {
        return values;
    }

    /** The settings made, for logs. The token is not shown. */
    @Override
    public String toString() {
        Map<String, String> shown = new TreeMap<>(values);
        if (shown.containsKey(CLIENT_TOKEN)) {
            shown.put(CLIENT_TOKEN, "<hidden>");
        }
        return shown.toString();
    }

    static Set<String> knownKeys() {
        return KNOWN.keySet();
    }
}

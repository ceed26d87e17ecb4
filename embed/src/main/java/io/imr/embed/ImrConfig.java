package io.imr.embed;

import io.imr.api.option.InvalidOptionException;
import io.imr.api.option.OptionSpec;
import io.imr.api.strategy.PerStrategyOptions;
import io.imr.engine.ClientEngineConfig;
import io.imr.engine.ServerEngineConfig;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
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
 * <p>The settings that are options of the engines or the wire ({@link #OPTIONS}) are named after their
 * specs ({@link ServerEngineConfig#OPTIONS}, {@link ClientEngineConfig#OPTIONS}, {@link TransportOptions#OPTIONS},
 * {@link WireOptions#OPTIONS})
 * and read through them ({@link #option}), so a name, default or range is written once, where the builders
 * read it too.
 *
 * <p>Immutable. An unknown setting, or a value of the wrong kind, is a one-line
 * {@link ConfigException} saying what is allowed.
 */
public final class ImrConfig {

    /** The prefix of the server's settings: {@code imr.server.NAME}, NAME as in {@link ServerEngineConfig#OPTIONS}. */
    public static final String SERVER = "imr.server.";
    /** The prefix of a client's settings: {@code imr.client.NAME}, NAME as in {@link ClientEngineConfig#OPTIONS}. */
    public static final String CLIENT = "imr.client.";
    /** The prefix of the wire's settings: {@code imr.wire.NAME}, NAME as in {@link WireOptions#OPTIONS}. */
    public static final String WIRE = "imr.wire.";

    public static final String STRATEGY = "imr.strategy";
    /** The prefix of strategy options: {@code imr.strategy.STRATEGY.OPTION}. */
    public static final String STRATEGY_OPTIONS = "imr.strategy.";
    public static final String SERVER_LISTEN = SERVER + "listen";
    public static final String SERVER_WS_LISTEN = SERVER + "ws-listen";
    public static final String SERVER_DATA = SERVER + "data";
    public static final String SERVER_SECRET_FILE = SERVER + "secret-file";
    public static final String SERVER_TLS_CERT = SERVER + "tls-cert";
    public static final String SERVER_TLS_KEY = SERVER + "tls-key";
    public static final String CLIENT_TLS_TRUST = CLIENT + "tls-trust";
    public static final String SERVER_METRICS = SERVER + "metrics";
    public static final String SERVER_ADMIN = SERVER + "admin";
    public static final String SERVER_KEY_GRACE = SERVER + AuthOptions.KEY_GRACE.name();
    public static final String SERVER_KEY_RELOAD = SERVER + AuthOptions.KEY_RELOAD.name();
    public static final String SERVER_HEARTBEAT = SERVER + ServerEngineConfig.HEARTBEAT.name();
    public static final String SERVER_HELLO_TIMEOUT = SERVER + ServerEngineConfig.HELLO_TIMEOUT.name();
    public static final String SERVER_MAX_PENDING_SENDS = SERVER + ServerEngineConfig.MAX_PENDING_SENDS.name();
    public static final String SERVER_DEVICE_IDLE_EVICTION = SERVER + ServerEngineConfig.DEVICE_IDLE_EVICTION.name();
    public static final String SERVER_INBOUND_FRAMES = SERVER + ServerEngineConfig.INBOUND_FRAMES.name();
    public static final String SERVER_INBOUND_ENGINE_FRAMES = SERVER + ServerEngineConfig.INBOUND_ENGINE_FRAMES.name();
    public static final String SERVER_INBOUND_SENDS = SERVER + ServerEngineConfig.INBOUND_SENDS.name();
    public static final String SERVER_WRITE_HIGH_WATER = SERVER + TransportOptions.WRITE_HIGH_WATER.name();
    public static final String SERVER_WRITE_LIMIT = SERVER + TransportOptions.WRITE_LIMIT.name();
    public static final String SERVER_SOCKET_BUFFER = SERVER + TransportOptions.SOCKET_BUFFER.name();
    public static final String SERVER_FRAME_RATE = SERVER + TransportOptions.FRAME_RATE.name();
    public static final String MAX_FRAME_BYTES = WIRE + WireOptions.MAX_FRAME_BYTES.name();
    public static final String CLIENT_SERVER = CLIENT + "server";
    public static final String CLIENT_USER = CLIENT + "user";
    public static final String CLIENT_DEVICE = CLIENT + "device";
    public static final String CLIENT_TOKEN = CLIENT + "token";
    public static final String CLIENT_DATA = CLIENT + "data";
    public static final String CLIENT_RECONNECT_INITIAL = CLIENT + ClientEngineConfig.RECONNECT_INITIAL.name();
    public static final String CLIENT_RECONNECT_MAX = CLIENT + ClientEngineConfig.RECONNECT_MAX.name();
    public static final String CLIENT_WELCOME_TIMEOUT = CLIENT + ClientEngineConfig.WELCOME_TIMEOUT.name();
    public static final String CLIENT_SEND_WINDOW = CLIENT + ClientEngineConfig.SEND_WINDOW.name();
    public static final String CLIENT_RESEND_AFTER = CLIENT + ClientEngineConfig.RESEND_AFTER.name();
    public static final String CLIENT_MAX_OUTBOX = CLIENT + ClientEngineConfig.MAX_OUTBOX.name();
    public static final String CLIENT_INBOUND_FRAMES = CLIENT + ClientEngineConfig.INBOUND_FRAMES.name();
    public static final String CLIENT_WRITE_HIGH_WATER = CLIENT + TransportOptions.WRITE_HIGH_WATER.name();
    public static final String CLIENT_WRITE_LIMIT = CLIENT + TransportOptions.WRITE_LIMIT.name();
    public static final String CLIENT_SOCKET_BUFFER = CLIENT + TransportOptions.SOCKET_BUFFER.name();
    public static final String CLIENT_FRAME_RATE = CLIENT + TransportOptions.FRAME_RATE.name();

    /**
     * System properties of the {@code imr} command itself, not settings: its log level ({@code -Dimr.log=FINE}) and
     * stack traces ({@code -Dimr.debug=true}). Reading settings from system properties skips them, so that asking
     * for more logs does not make a server refuse to start with "unknown setting imr.log".
     */
    public static final Set<String> COMMAND_PROPERTIES = Set.of("imr.log", "imr.debug");

    /** Every setting and what it is, for errors and {@code --help}; an option's default and range included. */
    public static final Map<String, String> KNOWN;

    /**
     * The settings that are options with a spec, by full name: each is read through its spec, so its name,
     * default and range are the ones the builders use.
     */
    public static final Map<String, OptionSpec<?>> OPTIONS;

    static {
        Map<String, String> k = new LinkedHashMap<>();
        Map<String, OptionSpec<?>> o = new LinkedHashMap<>();
        k.put(STRATEGY, "the strategy by name (hybrid, seqid, ack, or any on the class path); for a client, a"
                + " comma-separated list by preference (default: " + ImrServer.DEFAULT_STRATEGY
                + " for a server, every strategy on the class path for a client)");
        k.put(SERVER_LISTEN, "HOST:PORT for TCP");
        k.put(SERVER_WS_LISTEN, "HOST:PORT for WebSocket");
        k.put(SERVER_DATA, "the server's data folder");
        k.put(SERVER_SECRET_FILE, "the key file: the keys tokens are signed with, one per line with an id (default"
                + " DATA/secret)");
        k.put(SERVER_TLS_CERT, "a PEM certificate chain: listen and ws-listen speak TLS (with tls-key)");
        k.put(SERVER_TLS_KEY, "the PEM private key of tls-cert");
        k.put(SERVER_METRICS, "HOST:PORT for Prometheus /metrics and the dashboard");
        k.put(SERVER_ADMIN, "HOST:PORT for the admin endpoint (revoke, delete; administrators' tokens only), TLS"
                + " with tls-cert; bind it to a private address");
        option(k, o, SERVER, AuthOptions.KEY_GRACE, "how long after its retirement (imr keys rotate) a key's tokens"
                + " are still accepted");
        option(k, o, SERVER, AuthOptions.KEY_RELOAD, "how often the key file is looked at for a change");
        option(k, o, SERVER, ServerEngineConfig.HEARTBEAT, "the interval devices ping at; three silent ones close"
                + " a session");
        option(k, o, SERVER, ServerEngineConfig.HELLO_TIMEOUT, "the time a new connection has for its hello");
        option(k, o, SERVER, ServerEngineConfig.MAX_PENDING_SENDS, "sends one session may have waiting for their"
                + " commit");
        option(k, o, SERVER, ServerEngineConfig.DEVICE_IDLE_EVICTION, "how long a disconnected device's state"
                + " stays in memory");
        option(k, o, SERVER, ServerEngineConfig.INBOUND_FRAMES, "frames of one connection waiting for the engine"
                + " before it stops being read (read again at a quarter)");
        option(k, o, SERVER, ServerEngineConfig.INBOUND_ENGINE_FRAMES, "frames of all connections waiting for the"
                + " engine before those bringing more stop being read (read again at a quarter)");
        option(k, o, SERVER, ServerEngineConfig.INBOUND_SENDS, "sends of one connection not yet answered before it"
                + " stops being read (read again at a quarter)");
        option(k, o, SERVER, ServerEngineConfig.RETIRE_AFTER, "a device not seen for this long no longer holds its"
                + " user's inbox back from being trimmed; when it returns it is told what expired");
        option(k, o, SERVER, ServerEngineConfig.RETENTION_SWEEP, "how often confirmed messages are trimmed from"
                + " the inboxes");
        option(k, o, SERVER, ServerEngineConfig.MAX_AGE, "trim messages older than this even if unconfirmed, 0 for"
                + " never");
        option(k, o, SERVER, ServerEngineConfig.MAX_COUNT, "keep at most this many messages per inbox, 0 for no"
                + " limit");
        option(k, o, SERVER, ServerEngineConfig.SEND_RATE, "messages a second one device may send; more are answered"
                + " RATE_LIMITED and sent again by the device later (never lost); 0 for no limit");
        option(k, o, SERVER, ServerEngineConfig.SEND_BURST, "messages a device may send at once before send-rate holds"
                + " it back; 0 for one second of send-rate");
        option(k, o, SERVER, ServerEngineConfig.PULL_RATE, "pulls a second one device may make; more are answered"
                + " late; 0 for no limit");
        option(k, o, SERVER, ServerEngineConfig.MAX_PAYLOAD, "the largest payload stored in bytes, larger ones refused"
                + " (SEND_REFUSED); 0 for the protocol's 1 MiB");
        option(k, o, SERVER, ServerEngineConfig.MAX_SESSIONS_PER_USER, "sessions one user may have open at once; 0"
                + " for no limit");
        option(k, o, SERVER, ServerEngineConfig.MAX_CONNECTIONS_PER_ADDRESS, "connections one network address may"
                + " have open at once; 0 for no limit");
        option(k, o, SERVER, ServerEngineConfig.CONNECTION_RATE, "new connections a second one network address may"
                + " open; more are closed at once with RATE_LIMITED; 0 for no limit");
        option(k, o, SERVER, TransportOptions.WRITE_HIGH_WATER, "bytes queued for a device before its connection"
                + " stops reading it (reads again at half)");
        option(k, o, SERVER, TransportOptions.WRITE_LIMIT, "bytes queued for a device beyond which it is closed as"
                + " a slow consumer; above write-high-water");
        option(k, o, SERVER, TransportOptions.FRAME_RATE, "frames a second the server reads from one connection;"
                + " beyond, it stops reading until the rate allows (TCP holds the device back); 0 for no limit");
        option(k, o, SERVER, TransportOptions.SOCKET_BUFFER, "each socket's kernel send and receive buffer in"
                + " bytes, 0 for the system's auto-tuning");
        option(k, o, WIRE, WireOptions.MAX_FRAME_BYTES, "the largest frame accepted, in bytes");
        k.put(CLIENT_SERVER, "HOST:PORT or ws://HOST:PORT/PATH");
        k.put(CLIENT_USER, "the device's user");
        k.put(CLIENT_DEVICE, "the device");
        k.put(CLIENT_TOKEN, "the device's token");
        k.put(CLIENT_DATA, "the device's data folder");
        k.put(CLIENT_TLS_TRUST, "PEM certificates to trust for tls:// and wss:// (default: the JVM's trust store)");
        option(k, o, CLIENT, ClientEngineConfig.RECONNECT_INITIAL, "the first reconnect delay");
        option(k, o, CLIENT, ClientEngineConfig.RECONNECT_MAX, "the longest reconnect delay");
        option(k, o, CLIENT, ClientEngineConfig.WELCOME_TIMEOUT, "how long to wait for the welcome after"
                + " connecting");
        option(k, o, CLIENT, ClientEngineConfig.SEND_WINDOW, "sends in flight at most");
        option(k, o, CLIENT, ClientEngineConfig.RESEND_AFTER, "resend a send not confirmed after this long");
        option(k, o, CLIENT, ClientEngineConfig.MAX_OUTBOX, "sends waiting in the outbox at most");
        option(k, o, CLIENT, ClientEngineConfig.INBOUND_FRAMES, "frames from the server waiting for the engine"
                + " before the connection stops being read (read again at a quarter)");
        option(k, o, CLIENT, TransportOptions.WRITE_HIGH_WATER, "bytes queued for the server before the connection"
                + " stops reading it (reads again at half)");
        option(k, o, CLIENT, TransportOptions.WRITE_LIMIT, "bytes queued for the server beyond which the"
                + " connection is closed; above write-high-water");
        option(k, o, CLIENT, TransportOptions.FRAME_RATE, "frames a second the client reads from its connection;"
                + " 0 for no limit");
        option(k, o, CLIENT, TransportOptions.SOCKET_BUFFER, "the socket's kernel send and receive buffer in bytes,"
                + " 0 for the system's auto-tuning");
        KNOWN = Collections.unmodifiableMap(k);
        OPTIONS = Collections.unmodifiableMap(o);
    }

    private static void option(Map<String, String> known, Map<String, OptionSpec<?>> options, String prefix,
                               OptionSpec<?> spec, String what) {
        known.put(prefix + spec.name(), what + " (" + spec.describe() + ")");
        options.put(prefix + spec.name(), spec);
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
        system.stringPropertyNames().stream().filter(k -> k.startsWith("imr.") && !COMMAND_PROPERTIES.contains(k))
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

    /**
     * The value of an option setting ({@code PREFIX + spec.name()}), read and checked by its spec; empty when
     * unset, so that a builder keeps what it has.
     *
     * @param prefix {@link #SERVER}, {@link #CLIENT} or {@link #WIRE}
     * @throws IllegalArgumentException when that setting is not this spec's (a mistake in the caller)
     * @throws ConfigException          when the value is not allowed, naming the setting, what is allowed and the
     *                                  value
     */
    public <T> Optional<T> option(String prefix, OptionSpec<T> spec) {
        String key = prefix + spec.name();
        if (OPTIONS.get(key) != spec) {
            throw new IllegalArgumentException(key + " is not a setting of option " + spec);
        }
        String v = values.get(key);
        if (v == null || v.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(spec.parse(key, v));
        } catch (InvalidOptionException e) {
            throw new ConfigException(e.getMessage());
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

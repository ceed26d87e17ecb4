package io.imr.app;

import io.imr.api.option.InvalidOptionException;
import io.imr.api.strategy.StrategyRegistry;
import io.imr.embed.ImrConfig;
import java.io.PrintWriter;
import java.util.logging.ConsoleHandler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import java.util.logging.SimpleFormatter;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * The {@code imr} command. Exit codes: 0 success; 1 a failure at run time (token refused, store
 * locked, a session replaced); 2 a usage error (unknown flag, bad value or setting, unknown strategy).
 */
@Command(name = "imr", mixinStandardHelpOptions = true, versionProvider = Imr.Version.class,
        description = "Reliable instant-message delivery: a message counts as received once the receiver's commit returned.",
        subcommands = {ServerCommand.class, TokenCommand.class, ReceiveCommand.class, SendCommand.class,
            InspectCommand.class, DemoCommand.class, SimulateCommand.class, SoakCommand.class, SessionsCommand.class,
            BenchCommand.class, ProxyCommand.class, GrowthCommand.class, KeysCommand.class, AdminCommand.class,
            FuzzCommand.class,
            CommandLine.HelpCommand.class})
public final class Imr implements Runnable {

    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int USAGE = 2;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a command is needed: "
                + String.join(", ", spec.subcommands().keySet()));
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns the exit code (tests call this in-process). */
    public static int run(String... args) {
        quietLogging();
        return commandLine().execute(args);
    }

    /**
     * The command line with its handlers, and the help of the settings a command reads from its {@code --config}
     * file: made from {@link ImrConfig#KNOWN}, so each option's default and range in the help are its spec's.
     */
    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new Imr());
        cl.getSubcommands().get("server").getCommandSpec().usageMessage().footer(ServerCommand.settingsHelp());
        cl.setParameterExceptionHandler((e, a) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("imr: " + e.getMessage() + " (see imr " + commandPath(e.getCommandLine()) + "--help)");
            return USAGE;
        });
        cl.setExecutionExceptionHandler((e, c, parsed) -> {
            PrintWriter err = c.getErr();
            if (e instanceof UsageError || e instanceof StrategyRegistry.UnknownStrategyException
                    || e instanceof InvalidOptionException) {
                err.println("imr: " + e.getMessage());
                return USAGE;
            }
            err.println("imr: " + (e.getMessage() == null ? e.toString() : e.getMessage()));
            if (Boolean.getBoolean("imr.debug")) {
                e.printStackTrace(err);
            }
            return FAILED;
        });
        return cl;
    }

    private static String commandPath(CommandLine cl) {
        String name = cl.getCommandSpec().qualifiedName(" ");
        return name.equals("imr") ? "" : name.substring(4) + " ";
    }

    /** Log lines go to stderr, one line each, warnings and up (-Dimr.log=FINE for more). */
    private static void quietLogging() {
        LogManager.getLogManager().reset();
        System.setProperty("java.util.logging.SimpleFormatter.format", "%1$tT %4$s %3$s: %5$s%6$s%n");
        Logger root = Logger.getLogger("");
        ConsoleHandler handler = new ConsoleHandler();
        handler.setFormatter(new SimpleFormatter());
        Level level = Level.parse(System.getProperty("imr.log", "WARNING"));
        handler.setLevel(level);
        root.setLevel(level);
        root.addHandler(handler);
    }

    /** A usage error found after parsing (a rerun of send with other arguments, a bad address). */
    static final class UsageError extends RuntimeException {
        UsageError(String message) {
            super(message);
        }
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Imr.class.getPackage().getImplementationVersion();
            return new String[] {"imr " + (v == null ? "development build" : v)};
        }
    }
}

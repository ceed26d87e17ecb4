package io.imr.app;

import io.imr.engine.auth.HmacTokens;
import io.imr.engine.auth.KeyRing;
import io.imr.engine.auth.Principal;
import io.imr.engine.auth.SecretFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code imr token}: prints a token for a user and device, signed with the newest key of the server's key file. */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = "Prints a token for a user and device, signed with the newest key of the server's key file.")
final class TokenCommand implements Callable<Integer> {

    @Option(names = "--secret-file", required = true, paramLabel = "FILE", description = "the server's key file (its secret file)")
    Path secretFile;

    @Option(names = "--user", required = true, paramLabel = "USER")
    String user;

    @Option(names = "--device", required = true, paramLabel = "DEVICE")
    String device;

    @Option(names = "--ttl", paramLabel = "DURATION", converter = Converters.DurationConverter.class,
            description = "how long the token is valid, like 12h or 30d (default 30d)")
    Duration ttl = Duration.ofDays(30);

    @Override
    public Integer call() {
        Principal principal;
        try {
            principal = new Principal(user, device);
        } catch (IllegalArgumentException e) {
            throw new Imr.UsageError(e.getMessage());
        }
        if (!Files.exists(secretFile)) {
            throw new Imr.UsageError("secret file " + secretFile + " does not exist; start the server once to make it");
        }
        KeyRing keys;
        try {
            keys = SecretFile.read(secretFile);
        } catch (IOException e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
        System.out.println(new HmacTokens(keys).mint(principal, ttl, System.currentTimeMillis()));
        return Imr.OK;
    }
}

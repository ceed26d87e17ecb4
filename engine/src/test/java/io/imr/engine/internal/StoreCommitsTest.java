package io.imr.engine.internal;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("StoreCommits")
class StoreCommitsTest {

    private final QueueRuntime runtime = new QueueRuntime();
    private final List<String> outcomes = new ArrayList<>();

    @Test
    @DisplayName("brings a result onto the context, after the caller returned")
    void result() {
        StoreCommits.submit(runtime, () -> CompletableFuture.completedFuture("ok"), (v, e) -> outcomes.add(v + "/" + e));
        assertThat(outcomes).isEmpty();
        runtime.runAll();
        assertThat(outcomes).containsExactly("ok/null");
    }

    @Test
    @DisplayName("turns a synchronous throw and a null stage into a failed outcome, unwrapped")
    void throwsAndNull() {
        StoreCommits.<String>submit(runtime, () -> {
            throw new IllegalStateException("boom");
        }, (v, e) -> outcomes.add(v + "/" + e.getMessage()));
        StoreCommits.<String>submit(runtime, () -> null, (v, e) -> outcomes.add(v + "/" + e.getMessage()));
        CompletableFuture<String> wrapped = new CompletableFuture<>();
        StoreCommits.submit(runtime, () -> wrapped.thenApply(s -> s), (v, e) -> outcomes.add(v + "/" + e.getClass()
                .getSimpleName()));
        wrapped.completeExceptionally(new CompletionException(new IllegalArgumentException("inner")));
        runtime.runAll();
        assertThat(outcomes).containsExactly("null/boom", "null/the store returned no stage",
                "null/IllegalArgumentException");
    }
}

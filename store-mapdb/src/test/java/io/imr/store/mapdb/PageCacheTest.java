package io.imr.store.mapdb;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("PageCache")
class PageCacheTest {

    private static final int PAGE = PageCache.PAGE;

    private static byte[] page(int mark) {
        byte[] b = new byte[PAGE];
        b[0] = (byte) mark;
        return b;
    }

    @Test
    @DisplayName("keeps at most its size, dropping the page used least recently")
    void leastRecentlyUsedGoesFirst() {
        PageCache cache = new PageCache(3L * PAGE);
        cache.put(1, page(1));
        cache.put(2, page(2));
        cache.put(3, page(3));
        assertThat(cache.get(1)[0]).as("1 used again").isEqualTo((byte) 1);
        cache.put(4, page(4));
        assertThat(cache.size()).isEqualTo(3);
        assertThat(cache.get(2)).as("the least recently used").isNull();
        assertThat(cache.get(1)).isNotNull();
        assertThat(cache.get(3)).isNotNull();
        assertThat(cache.get(4)).isNotNull();
        assertThat(cache.hits()).isEqualTo(4);
        assertThat(cache.misses()).isEqualTo(1);
    }

    @Test
    @DisplayName("a put replaces the page's content; dropFrom forgets the pages from there on")
    void replaceAndDrop() {
        PageCache cache = new PageCache(16L * PAGE);
        cache.put(5, page(1));
        cache.put(5, page(2));
        assertThat(cache.get(5)[0]).isEqualTo((byte) 2);
        cache.put(6, page(6));
        cache.put(9, page(9));
        cache.dropFrom(6);
        assertThat(cache.get(5)).isNotNull();
        assertThat(cache.get(6)).isNull();
        assertThat(cache.get(9)).isNull();
    }

    @Test
    @DisplayName("only whole pages; a size below one page still keeps one")
    void wholePages() {
        PageCache cache = new PageCache(10);
        assertThatThrownBy(() -> cache.put(1, new byte[10])).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("4096");
        cache.put(1, page(1));
        cache.put(2, page(2));
        assertThat(cache.size()).isEqualTo(1);
    }
}

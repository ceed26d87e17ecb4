package io.imr.store.mapdb;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Committed pages of the main database file kept in memory, the least recently used dropped
 * first. It owns only the copies: the {@link JournaledVolume} reads a page from the file on a miss
 * and puts the pages a commit wrote. A page's array is never changed once put (a commit puts new
 * arrays), so a reader may keep using an array it got. Thread-safe.
 */
final class PageCache {

    static final int PAGE_SHIFT = 12;
    static final int PAGE = 1 << PAGE_SHIFT;

    private final int maxPages;
    private final LinkedHashMap<Long, byte[]> pages;
    private long hits;
    private long misses;

    /** @param bytes how much to keep, rounded down to whole pages; at least one page is kept */
    PageCache(long bytes) {
        this.maxPages = (int) Math.max(1, Math.min(Integer.MAX_VALUE, bytes >> PAGE_SHIFT));
        this.pages = new LinkedHashMap<>(Math.min(maxPages, 1 << 16) * 4 / 3 + 1, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<Long, byte[]> eldest) {
                return size() > maxPages;
            }
        };
    }

    /** The page, or null if it is not kept. */
    synchronized byte[] get(long page) {
        byte[] b = pages.get(page);
        if (b == null) {
            misses++;
        } else {
            hits++;
        }
        return b;
    }

    /** Keeps {@code bytes} (exactly {@link #PAGE} long, not to be changed after) as the page's content. */
    synchronized void put(long page, byte[] bytes) {
        if (bytes.length != PAGE) {
            throw new IllegalArgumentException("a page is " + PAGE + " bytes, got " + bytes.length);
        }
        pages.put(page, bytes);
    }

    /** Forgets the pages from {@code firstPage} on (the file was cut). */
    synchronized void dropFrom(long firstPage) {
        pages.keySet().removeIf(p -> p >= firstPage);
    }

    synchronized int size() {
        return pages.size();
    }

    synchronized long hits() {
        return hits;
    }

    synchronized long misses() {
        return misses;
    }
}

package dev.switchboard.bench;

/**
 * One load run, written by {@link LoadGenerator} as a single JSON line and read back by
 * {@link Report}. Latencies are in milliseconds; fields that do not apply are {@code null}.
 *
 * @param target what was measured ({@code direct}, {@code plain}, {@code switchboard})
 * @param scenario the case this run belongs to ({@code json}, {@code stream}, {@code memory})
 * @param stream whether responses were streamed (SSE)
 * @param maxTokens the {@code max_tokens} sent, which sets the stub's response length
 * @param connections pool size, equal to the number of closed-loop workers
 * @param seconds length of the measured window
 * @param requests responses completed inside the window, successful or not
 * @param errors non-2xx responses, truncated streams and exceptions inside the window
 * @param throughput successful responses per second
 * @param megabytesPerSecond response body bytes received inside the window, in-flight streams included
 * @param p50Ms full-response latency percentiles of successful responses ({@code null} without any)
 * @param p99Ms see {@code p50Ms}
 * @param p999Ms see {@code p50Ms}
 * @param ttfcP50Ms time to the first body chunk of successful streams
 * @param ttfcP99Ms see {@code ttfcP50Ms}
 * @param peakRssMb highest resident set size of the watched process during the window
 * @param cpuMsPerRequest CPU time the watched process used during the window, per response
 */
public record Result(String target, String scenario, boolean stream, Integer maxTokens, int connections,
		double seconds, long requests, long errors, double throughput, double megabytesPerSecond, Double p50Ms,
		Double p99Ms, Double p999Ms, Double ttfcP50Ms, Double ttfcP99Ms, Double peakRssMb, Double cpuMsPerRequest) {
}

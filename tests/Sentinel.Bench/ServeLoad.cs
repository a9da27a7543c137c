using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Sentinel.Bench;

/// <param name="Url">Base URL of a running <c>sentinel serve</c>, e.g. http://127.0.0.1:5080.</param>
/// <param name="Corpus">A folder of real smonitor bundles; its single-file JSON bundles give the events.</param>
internal sealed record ServeLoadOptions(string Url, string Corpus, double SizeMb, int Concurrency, double Seconds, double WarmupSeconds);

/// <param name="Statuses">How many answers per HTTP status ("exception" for a failed request), measured phase only.</param>
internal sealed record ServeLoadResult(long Requests, double Seconds, long BodyBytes, double P50Ms, double P90Ms, double P99Ms, double MaxMs,
    long Errors, IReadOnlyDictionary<string, long> Statuses, long WarmupRequests);

/// <summary>
/// A loopback load generator for <c>POST /v1/bundles</c>: <see cref="ServeLoadOptions.Concurrency"/> clients, each
/// sending one real single-file bundle of about <see cref="ServeLoadOptions.SizeMb"/> MB after the other, for a warm-up
/// and then for the measured seconds. The bundle is a corpus bundle's header with corpus events cycled until the size
/// is reached; every upload gets a fresh run id in <c>runtime.run_id</c> and in every event, so every body has
/// distinct bytes (a distinct receipt, nothing answered as a duplicate) and would ingest as a run of its own.
/// </summary>
internal static class ServeLoad
{
    // A run id no corpus bundle holds, overwritten in place before each upload.
    private const string Placeholder = "0123456789abcdeffedcba9876543210";

    public static async Task<ServeLoadResult> RunAsync(ServeLoadOptions o)
    {
        var (template, offsets) = BuildTemplate(o.Corpus, (long)(o.SizeMb * 1024 * 1024));
        using var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = o.Concurrency,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            UseProxy = false,
        };
        using var client = new HttpClient(handler) { BaseAddress = new Uri(o.Url), Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.ExpectContinue = false; // a measured client sends its body at once

        var start = Stopwatch.GetTimestamp();
        var measureFrom = start + (long)(o.WarmupSeconds * Stopwatch.Frequency);
        var stopAt = measureFrom + (long)(o.Seconds * Stopwatch.Frequency);
        var workers = Enumerable.Range(0, o.Concurrency)
            .Select(w => Task.Run(() => WorkerAsync(client, (byte[])template.Clone(), offsets, w, measureFrom, stopAt)))
            .ToList();
        var results = await Task.WhenAll(workers);

        var latencies = results.SelectMany(r => r.Latencies).Order().ToArray();
        var statuses = new SortedDictionary<string, long>(StringComparer.Ordinal);
        foreach (var (status, n) in results.SelectMany(r => r.Statuses))
        {
            statuses[status] = statuses.GetValueOrDefault(status) + n;
        }

        var requests = latencies.Length;
        return new ServeLoadResult(requests, o.Seconds, template.Length, Percentile(latencies, 0.50), Percentile(latencies, 0.90),
            Percentile(latencies, 0.99), latencies.Length > 0 ? latencies[^1] : 0,
            statuses.Where(s => s.Key != "202").Sum(s => s.Value), statuses, results.Sum(r => r.Warmup));
    }

    public static string Summary(ServeLoadResult r) => string.Create(CultureInfo.InvariantCulture,
        $"serve-load: requests={r.Requests} seconds={r.Seconds:0.0} requests_per_s={r.Requests / r.Seconds:0.0} mb_per_s={r.Requests * (double)r.BodyBytes / 1048576 / r.Seconds:0.0} body_bytes={r.BodyBytes} p50_ms={r.P50Ms:0.0} p90_ms={r.P90Ms:0.0} p99_ms={r.P99Ms:0.0} max_ms={r.MaxMs:0.0} errors={r.Errors} statuses={string.Join(',', r.Statuses.Select(s => $"{s.Key}:{s.Value}"))} warmup_requests={r.WarmupRequests}");

    private sealed record WorkerResult(List<double> Latencies, Dictionary<string, long> Statuses, long Warmup);

    private static async Task<WorkerResult> WorkerAsync(HttpClient client, byte[] body, int[] offsets, int worker, long measureFrom, long stopAt)
    {
        var latencies = new List<double>(4096);
        var statuses = new Dictionary<string, long>(StringComparer.Ordinal);
        long warmup = 0;
        var runId = new byte[Placeholder.Length];
        for (long sequence = 0; ; sequence++)
        {
            var begin = Stopwatch.GetTimestamp();
            if (begin >= stopAt)
            {
                break;
            }

            // worker (8 hex) + sequence (16 hex) + process-unique salt (8 hex): distinct bytes per upload and per bench run.
            Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{worker:x8}{sequence:x16}{Environment.ProcessId:x8}"), runId);
            foreach (var at in offsets)
            {
                runId.CopyTo(body, at);
            }

            string status;
            try
            {
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                using var response = await client.PostAsync(new Uri("/v1/bundles", UriKind.Relative), content);
                await response.Content.ReadAsByteArrayAsync();
                status = ((int)response.StatusCode).ToString(CultureInfo.InvariantCulture);
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
            {
                status = "exception";
            }

            var end = Stopwatch.GetTimestamp();
            if (begin < measureFrom)
            {
                warmup++;
                continue;
            }

            latencies.Add((end - begin) * 1000.0 / Stopwatch.Frequency);
            statuses[status] = statuses.GetValueOrDefault(status) + 1;
        }

        return new WorkerResult(latencies, statuses, warmup);
    }

    private static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];

    /// <summary>One bundle of about <paramref name="size"/> bytes, and where the run-id placeholder sits in it.</summary>
    private static (byte[] Body, int[] Offsets) BuildTemplate(string corpus, long size)
    {
        var files = Directory.EnumerateFiles(corpus, "*.json").Where(f => !Path.GetFileName(f).StartsWith('.') && Path.GetFileName(f) != "expected.json")
            .Order(StringComparer.Ordinal).ToList();
        var events = new List<JsonObject>();
        JsonObject? header = null;
        foreach (var file in files)
        {
            if (JsonNode.Parse(File.ReadAllBytes(file)) is not JsonObject bundle || bundle["events"] is not JsonArray array || bundle["runtime"] is not JsonObject)
            {
                continue;
            }

            header ??= bundle;
            events.AddRange(array.OfType<JsonObject>());
        }

        if (header is null || events.Count == 0)
        {
            throw new GenLakeException($"no single-file JSON bundle with events in {corpus}");
        }

        var writer = new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }; // like ensure_ascii=False
        header = (JsonObject)header.DeepClone();
        header.Remove("events");
        header["runtime"]!["run_id"] = Placeholder;
        var head = header.ToJsonString(writer);
        var sb = new StringBuilder(head, 0, head.Length - 1, (int)Math.Min(size + 65536, int.MaxValue / 2));
        sb.Append(",\"events\":[");
        for (var i = 0; sb.Length < size - 2; i++)
        {
            var ev = (JsonObject)events[i % events.Count].DeepClone();
            ev["run_id"] = Placeholder;
            sb.Append(i == 0 ? "" : ",").Append(ev.ToJsonString(writer));
        }

        sb.Append("]}");
        var body = Encoding.UTF8.GetBytes(sb.ToString());
        var marker = Encoding.ASCII.GetBytes(Placeholder);
        var offsets = new List<int>();
        for (var at = body.AsSpan().IndexOf(marker); at >= 0;)
        {
            offsets.Add(at);
            var next = body.AsSpan(at + marker.Length).IndexOf(marker);
            at = next < 0 ? -1 : at + marker.Length + next;
        }

        return (body, [.. offsets]);
    }
}

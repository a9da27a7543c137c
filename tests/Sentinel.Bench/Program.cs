using System.Globalization;
using Sentinel;
using Sentinel.Bench;
using Sentinel.Storage;

const string Usage = """
    usage: sentinel-bench gen-lake --seed-lake DIR --out DIR --events N --bundles B [--seed S]
           sentinel-bench gen-lake --seed-lake DIR --out DIR --append-events N [--bundles B] [--seed S]

    Writes a synthetic lake resampled from a real one (--seed-lake, made by `sentinel ingest`) as one
    committed ingest: B bundles of N/B events each, fresh runs, ids and timestamps, deterministic for a
    given --seed (default 1). With --append-events, adds one more, smaller ingest of fresh runs to an
    existing --out lake (a daily cron's new data); --bundles then defaults to the lake's events per bundle.

           sentinel-bench gen-bundles --corpus DIR --out DIR --events N --bundles B [--seed S]
                                      [--shapes json,dir,zip,tar.gz] [--ndjson DIR]
           sentinel-bench gen-bundles --corpus DIR --out DIR --single-run-mb M [--seed S] [--ndjson DIR]

    Writes a scale set of B smonitor bundles (N/B events each) to --out (new or empty), resampled from
    the real bundles of --corpus (its bad/ folder skipped): each bundle replays one corpus run with a
    fresh run id, fresh timestamps and jittered timings, in the --shapes given in turn (default all four).
    The same events go, one NDJSON file per bundle, to --ndjson (default: <out>.ndjson, next to --out).
    Deterministic for a given corpus and --seed (default 1). With --single-run-mb, writes ONE directory
    bundle instead: one corpus run replayed until its events.jsonl holds M MiB (the large single-run upload).

           sentinel-bench duckdb-baseline --input DIR --out FILE.parquet [--reader plain|union]

    The peer baseline for ingest, run on the NDJSON folder that gen-bundles writes. plain (the default,
    the call a user reaches for): COPY (SELECT * FROM read_ndjson('DIR/*.jsonl')) TO FILE (FORMAT
    parquet), DuckDB's defaults. union: read_json(..., format = 'newline_delimited', union_by_name =
    true), which merges each file's detected schema (slower; the earlier baseline).

           sentinel-bench gen-distinct --out FILE.zip --problems N [--library NAME]

    Writes ONE hostile upload (a zip with bundle.json and events.jsonl) whose N events each carry their own
    code, source and fingerprint, and whose report.timings has min(N, 50,000) distinct functions: the
    cardinality bomb of issue 14, for measuring ingest and aggregate memory under it.

           sentinel-bench serve-load --url URL --corpus DIR [--size-mb 1] [--concurrency 8] [--seconds 20]
                                     [--warmup-seconds 3]

    Sustained uploads to a running `sentinel serve` (POST /v1/bundles): --concurrency clients each send
    one real single-file bundle of about --size-mb MB (a corpus bundle's header, corpus events cycled),
    with a fresh run id per upload so every body is distinct, for a warm-up and then --seconds measured.
    Prints requests/s, MB/s, p50/p90/p99/max latency, errors and statuses of the measured phase.

           sentinel-bench first-paint --site DIR [--runs 5] [--chromium PATH]

    Opens each page type of a built site (home, a library page, its problem list, a problem page) at 1400
    and 390 px in headless Chromium, offline, a cold browser context per visit, and prints the medians of
    first contentful paint, the load event and "every chart drawn" (ms), with the bytes each page fetched.
    The baseline, measured in the same run: a copy of the site whose pages load the full plotly.js the site
    shipped before (Plotly.NET's, 3.6 MB) in place of the basic bundle. Ends with
      first_paint_max_ms=<n> charts_drawn_max_ms=<n> home_bytes=<n> baseline_first_paint_max_ms=<n> ...

           sentinel-bench read-layers --file events.jsonl

    Times the reading thread's layers on one large events.jsonl (best of 3 passes each): the file read, + the
    upload's SHA-256, + the Python-dialect pass (UTF-8 check, NaN/Infinity), + the line split.

    Each command prints one summary line on stderr.

    """;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    (args.Length == 0 ? Console.Error : Console.Out).Write(Usage);
    return args.Length == 0 ? ExitCode.InvalidUsage : ExitCode.Success;
}

string[] known = args[0] switch
{
    "gen-lake" => ["--seed-lake", "--out", "--events", "--bundles", "--seed", "--append-events"],
    "gen-bundles" => ["--corpus", "--out", "--events", "--bundles", "--seed", "--shapes", "--ndjson", "--single-run-mb"],
    "duckdb-baseline" => ["--input", "--out", "--reader"],
    "gen-distinct" => ["--out", "--problems", "--library"],
    "serve-load" => ["--url", "--corpus", "--size-mb", "--concurrency", "--seconds", "--warmup-seconds"],
    "first-paint" => ["--site", "--runs", "--chromium"],
    "read-layers" => ["--file"],
    _ => [],
};
if (known.Length == 0)
{
    return Fail(ExitCode.InvalidUsage, $"unknown command '{args[0]}'");
}

var values = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 1; i < args.Length; i++)
{
    if (args[i] is "-h" or "--help")
    {
        Console.Out.Write(Usage);
        return ExitCode.Success;
    }

    if (!known.Contains(args[i]))
    {
        return Fail(ExitCode.InvalidUsage, $"unknown option '{args[i]}'");
    }

    if (i + 1 >= args.Length)
    {
        return Fail(ExitCode.InvalidUsage, $"{args[i]} needs a value");
    }

    values[args[i]] = args[++i];
}

if (args[0] == "gen-bundles")
{
    return GenBundles();
}

if (args[0] == "duckdb-baseline")
{
    return Baseline();
}

if (args[0] == "serve-load")
{
    return await ServeLoadAsync();
}

if (args[0] == "gen-distinct")
{
    return GenDistinct();
}

if (args[0] == "read-layers")
{
    if (!values.TryGetValue("--file", out var layersFile) || !File.Exists(layersFile))
    {
        return Fail(ExitCode.InvalidUsage, "--file must name an events.jsonl");
    }

    var size = new FileInfo(layersFile).Length;
    foreach (var r in ReadLayers.Run(layersFile))
    {
        Console.WriteLine(ReadLayers.Format(r, size));
    }

    return ExitCode.Success;
}

if (args[0] == "first-paint")
{
    return await FirstPaintAsync();
}

if (!values.TryGetValue("--seed-lake", out var seedLake) || !values.TryGetValue("--out", out var outLake))
{
    return Fail(ExitCode.InvalidUsage, "--seed-lake and --out are required");
}

var append = values.ContainsKey("--append-events");
if (append == values.ContainsKey("--events"))
{
    return Fail(ExitCode.InvalidUsage, "give exactly one of --events (new lake) and --append-events (add to --out)");
}

if (!append && !values.ContainsKey("--bundles"))
{
    return Fail(ExitCode.InvalidUsage, "--bundles is required with --events");
}

if (!TryNumber(append ? "--append-events" : "--events", 1, out var events)
    || !TryNumber("--bundles", 1, out var bundles)
    || !TryNumber("--seed", 0, out var seed))
{
    return ExitCode.InvalidUsage;
}

var options = new GenLakeOptions(seedLake, outLake, events, values.ContainsKey("--bundles") ? bundles : null,
    values.ContainsKey("--seed") ? seed : 1, append);
try
{
    var result = LakeGenerator.Run(options);
    Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
        $"gen-lake: events={result.Events} bundles={result.Bundles} files={result.Files} ingest_id={result.IngestId} seconds={result.Seconds:0.00}"));
    return ExitCode.Success;
}
catch (LakeLockedException e)
{
    return Fail(ExitCode.LakeLocked, e.Message);
}
catch (Exception e) when (e is GenLakeException or IOException or UnauthorizedAccessException)
{
    return Fail(ExitCode.Failure, e.Message);
}

int GenBundles()
{
    var single = values.ContainsKey("--single-run-mb");
    if (!values.TryGetValue("--corpus", out var corpus) || !values.TryGetValue("--out", out var outDir)
        || (!single && (!values.ContainsKey("--events") || !values.ContainsKey("--bundles"))))
    {
        return Fail(ExitCode.InvalidUsage, "--corpus, --out, and --events with --bundles or --single-run-mb are required");
    }

    if (single && (values.ContainsKey("--events") || values.ContainsKey("--bundles") || values.ContainsKey("--shapes")))
    {
        return Fail(ExitCode.InvalidUsage, "--single-run-mb writes one directory bundle: no --events, --bundles or --shapes");
    }

    if (!TryNumber("--events", 1, out var events) || !TryNumber("--bundles", 1, out var bundles) || !TryNumber("--seed", 0, out var seed)
        || !TryNumber("--single-run-mb", 1, out var singleMb))
    {
        return ExitCode.InvalidUsage;
    }

    try
    {
        var shapes = BundleGenerator.ParseShapes(values.GetValueOrDefault("--shapes", "json,dir,zip,tar.gz"));
        var full = Path.GetFullPath(outDir).TrimEnd('/');
        var ndjson = Path.GetFullPath(values.GetValueOrDefault("--ndjson", full + ".ndjson"));
        if (ndjson.StartsWith(full + "/", StringComparison.Ordinal))
        {
            return Fail(ExitCode.InvalidUsage, "--ndjson must not be inside --out (ingest would read its .jsonl files as bundles)");
        }

        var result = BundleGenerator.Run(new GenBundlesOptions(Path.GetFullPath(corpus), full, ndjson, events, bundles,
            values.ContainsKey("--seed") ? seed : 1, shapes, single ? singleMb << 20 : null));
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gen-bundles: events={result.Events} bundles={result.Bundles} source_runs={result.SourceRuns} bundle_bytes={result.BundleBytes} event_bytes={result.EventBytes} seconds={result.Seconds:0.00} events_per_s={result.Events / Math.Max(result.Seconds, 1e-9):0}"));
        return ExitCode.Success;
    }
    catch (Exception e) when (e is GenLakeException or IOException or UnauthorizedAccessException)
    {
        return Fail(ExitCode.Failure, e.Message);
    }
}

int Baseline()
{
    if (!values.TryGetValue("--input", out var input) || !values.TryGetValue("--out", out var output))
    {
        return Fail(ExitCode.InvalidUsage, "--input and --out are required");
    }

    try
    {
        var reader = values.GetValueOrDefault("--reader", "plain");
        if (reader is not ("plain" or "union"))
        {
            return Fail(ExitCode.InvalidUsage, $"--reader: '{reader}' is not plain or union");
        }

        var result = DuckDbBaseline.Run(input, output, unionByName: reader == "union");
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"duckdb-baseline: events={result.Events} input_bytes={result.InputBytes} parquet_bytes={result.OutputBytes} seconds={result.Seconds:0.00}"));
        return ExitCode.Success;
    }
    catch (Exception e) when (e is GenLakeException or IOException or UnauthorizedAccessException or DuckDB.NET.Data.DuckDBException)
    {
        return Fail(ExitCode.Failure, e.Message);
    }
}

int GenDistinct()
{
    if (!values.TryGetValue("--out", out var output) || !values.ContainsKey("--problems"))
    {
        return Fail(ExitCode.InvalidUsage, "--out and --problems are required");
    }

    if (!TryNumber("--problems", 1, out var problems))
    {
        return ExitCode.InvalidUsage;
    }

    try
    {
        var result = DistinctBomb.Write(Path.GetFullPath(output), problems, values.GetValueOrDefault("--library", "bomblib"));
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"gen-distinct: problems={problems} timings={result.Timings} zip_bytes={result.ZipBytes} events_bytes={result.EventsBytes}"));
        return ExitCode.Success;
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
    {
        return Fail(ExitCode.Failure, e.Message);
    }
}

async Task<int> ServeLoadAsync()
{
    if (!values.TryGetValue("--url", out var url) || !values.TryGetValue("--corpus", out var corpus))
    {
        return Fail(ExitCode.InvalidUsage, "--url and --corpus are required");
    }

    if (!TryReal("--size-mb", 1, out var sizeMb) || !TryNumber("--concurrency", 1, out var concurrency)
        || !TryReal("--seconds", 20, out var seconds) || !TryReal("--warmup-seconds", 3, out var warmup))
    {
        return ExitCode.InvalidUsage;
    }

    try
    {
        var result = await ServeLoad.RunAsync(new ServeLoadOptions(url, Path.GetFullPath(corpus), sizeMb,
            values.ContainsKey("--concurrency") ? (int)concurrency : 8, seconds, warmup));
        Console.Error.WriteLine(ServeLoad.Summary(result));
        return result.Requests > 0 ? ExitCode.Success : ExitCode.Failure;
    }
    catch (Exception e) when (e is GenLakeException or IOException or UnauthorizedAccessException or UriFormatException)
    {
        return Fail(ExitCode.Failure, e.Message);
    }
}

async Task<int> FirstPaintAsync()
{
    if (!values.TryGetValue("--site", out var site) || !File.Exists(Path.Combine(site, "index.html")))
    {
        return Fail(ExitCode.InvalidUsage, "--site must be a folder written by `sentinel dashboard` (it has no index.html)");
    }

    if (!TryNumber("--runs", 1, out var paintRuns))
    {
        return ExitCode.InvalidUsage;
    }

    var chromium = values.GetValueOrDefault("--chromium")
        ?? new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" }.FirstOrDefault(File.Exists);
    if (chromium is null || !File.Exists(chromium))
    {
        return Fail(ExitCode.InvalidUsage, "no Chromium found: apt-get install -y chromium, or give --chromium PATH");
    }

    // The pages: home, the library with the most problem pages, its problem list and its first problem page.
    var library = Directory.GetDirectories(Path.Combine(site, "problems")).OrderByDescending(d => Directory.GetFiles(d, "*.html").Length)
        .ThenBy(d => d, StringComparer.Ordinal).First();
    var name = Path.GetFileName(library);
    List<(string, string)> pages =
    [
        ("home", "index.html"),
        ($"library ({name})", $"libraries/{name}.html"),
        ($"problem list ({name})", $"problems/{name}.html"),
        ("problem page", Path.GetRelativePath(site, Directory.GetFiles(library, "*.html").Order(StringComparer.Ordinal).First())),
    ];
    int[] widths = [1400, 390];
    var n = values.ContainsKey("--runs") ? (int)paintRuns : 5;
    Console.WriteLine($"{"page",-34} {"width",5} {"FCP ms",10} {"load ms",10} {"charts ms",12} {"bytes",12}");
    var rows = await FirstPaint.RunAsync(site, pages, widths, n, chromium);
    foreach (var r in rows)
    {
        Console.WriteLine(FirstPaint.Format(r));
    }

    var line = string.Create(CultureInfo.InvariantCulture,
        $"first_paint_max_ms={rows.Max(r => r.FcpMs):0} charts_drawn_max_ms={rows.Max(r => r.ChartsMs):0} home_bytes={rows.First().Bytes}");
    var baselineSite = Path.Combine(Path.GetTempPath(), $"sentinel-first-paint-{Environment.ProcessId}");
    try
    {
        FirstPaint.CopyWithFullPlotly(site, baselineSite);
        Console.WriteLine("baseline: the same pages with the full plotly.js (Plotly.NET's) in place of the basic bundle");
        var baseline = await FirstPaint.RunAsync(baselineSite, pages, widths, n, chromium);
        foreach (var r in baseline)
        {
            Console.WriteLine(FirstPaint.Format(r));
        }

        line += string.Create(CultureInfo.InvariantCulture,
            $" baseline_first_paint_max_ms={baseline.Max(r => r.FcpMs):0} baseline_charts_drawn_max_ms={baseline.Max(r => r.ChartsMs):0} charts_drawn_speedup={baseline.Max(r => r.ChartsMs) / rows.Max(r => r.ChartsMs):0.00}");
    }
    finally
    {
        if (Directory.Exists(baselineSite))
        {
            Directory.Delete(baselineSite, recursive: true);
        }
    }

    Console.WriteLine(line);
    Console.Error.WriteLine($"first-paint: {rows.Count} page/width pairs, {n} cold visits each");
    return ExitCode.Success;
}

bool TryReal(string name, double fallback, out double value)
{
    value = fallback;
    if (!values.TryGetValue(name, out var text))
    {
        return true;
    }

    if (double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out value) && value > 0 && value <= 100_000)
    {
        return true;
    }

    Fail(ExitCode.InvalidUsage, $"{name}: expected a positive number, got '{text}'");
    return false;
}

bool TryNumber(string name, long min, out long value)
{
    value = 0;
    if (!values.TryGetValue(name, out var text))
    {
        return true;
    }

    if (long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value) && value >= min)
    {
        return true;
    }

    Fail(ExitCode.InvalidUsage, $"{name}: expected an integer >= {min}, got '{text}'");
    return false;
}

static int Fail(int code, string message)
{
    Console.Error.WriteLine($"sentinel-bench: {message}");
    if (code == ExitCode.InvalidUsage)
    {
        Console.Error.Write(Usage);
    }

    return code;
}

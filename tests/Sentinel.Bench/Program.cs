using System.Globalization;
using Sentinel;
using Sentinel.Bench;
using Sentinel.Lake;

const string Usage = """
    usage: sentinel-bench gen-lake --seed-lake DIR --out DIR --events N --bundles B [--seed S]
           sentinel-bench gen-lake --seed-lake DIR --out DIR --append-events N [--bundles B] [--seed S]

    Writes a synthetic lake resampled from a real one (--seed-lake, made by `sentinel ingest`) as one
    committed ingest: B bundles of N/B events each, fresh runs, ids and timestamps, deterministic for a
    given --seed (default 1). With --append-events, adds one more, smaller ingest of fresh runs to an
    existing --out lake (a daily cron's new data); --bundles then defaults to the lake's events per bundle.

    """;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    (args.Length == 0 ? Console.Error : Console.Out).Write(Usage);
    return args.Length == 0 ? ExitCode.InvalidUsage : ExitCode.Success;
}

if (args[0] != "gen-lake")
{
    return Fail(ExitCode.InvalidUsage, $"unknown command '{args[0]}'");
}

var values = new Dictionary<string, string>(StringComparer.Ordinal);
string[] known = ["--seed-lake", "--out", "--events", "--bundles", "--seed", "--append-events"];
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

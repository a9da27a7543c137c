using System.Text.Json;
using Sentinel.Ingest;
using Sentinel.Storage;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Ingest;

/// <summary>
/// Uploads written by an attacker (issue 14), each generated here: one bad upload is quarantined
/// with a reason, the good upload beside it is stored, and the daily commands keep working.
/// </summary>
public sealed class HostileUploadTests : IDisposable
{
    private readonly TempDir _dir = new("sentinel-hostile");

    private string Lake => _dir.Sub("lake");

    public void Dispose() => _dir.Dispose();

    // ---- generated inputs ----

    /// <summary>One event as JSON text; every argument is inserted as written (already JSON-escaped).</summary>
    private static string Event(string timestamp = "2026-10-01T12:00:00+00:00", string level = "ERROR", string library = "alpha",
        string version = "1.0.0", string code = "ALPHA-E001", string message = "boom", string extraMore = "") =>
        "{\"timestamp\":\"" + timestamp + "\",\"level\":\"" + level + "\",\"source\":\"" + library + ".core\",\"message\":\"" + message
        + "\",\"code\":\"" + code + "\",\"exception_type\":\"RuntimeError\",\"fingerprint\":\"00000000000000e1\",\"extra\":{\"library\":\"" + library
        + "\",\"version\":\"" + version + "\"" + extraMore + "}}";

    /// <summary>A single-file bundle as JSON text.</summary>
    private static string Bundle(IEnumerable<string> events, string python = "3.11.9", string system = "Linux", string title = "Something failed",
        string timings = "", string runId = "r0") =>
        "{\"smonitor_version\":\"0.5.0\",\"generated_at\":\"2026-10-01T13:00:00+00:00\",\"python\":{\"version\":\"" + python
        + "\"},\"platform\":{\"system\":\"" + system + "\",\"machine\":\"x86_64\"},\"runtime\":{\"run_id\":\"" + runId
        + "\"},\"config\":{\"profile\":\"user\"},\"codes\":{\"ALPHA-E001\":{\"title\":\"" + title + "\"}},\"events\":["
        + string.Join(",", events) + "],\"report\":{\"timings\":{" + timings + "}}}";

    private string WriteFile(string folder, string name, string text)
    {
        var dir = _dir.Sub(folder);
        Directory.CreateDirectory(dir);
        var path = Path.Combine(dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    /// <summary>A good upload: two valid events of library alpha.</summary>
    private string Good(string folder, string name = "good.json", string runId = "good-run") =>
        WriteFile(folder, name, Bundle([Event(message: "good 1"), Event(message: "good 2", level: "WARNING", code: "ALPHA-W001")], runId: runId));

    private async Task<IngestResult> IngestAsync(params string[] paths) => await SentinelRunner.IngestAsync(Lake, paths);

    private static void AssertStored(IngestResult result, string goodPath)
    {
        var outcome = Assert.Single(result.Outcomes, o => o.Input == goodPath);
        Assert.Equal(InputStatus.Accepted, outcome.Status);
        Assert.True(outcome.EventsWritten > 0);
    }

    private long EventsInLake()
    {
        using var reader = new LakeReader(Lake);
        return reader.Scalar<long>("SELECT count(*) FROM events");
    }

    private SentinelRunner.ProcessResult Cli(params string[] args) => SentinelRunner.Cli(_dir.Path, [.. args, "--lake", Lake]);

    /// <summary>The daily job after the hostile upload: aggregate, report, dashboard and triage all exit 0.</summary>
    private void AssertDailyCommandsSucceed()
    {
        foreach (var args in new[]
                 {
                     new[] { "aggregate" }, ["report"], ["dashboard", "--out", _dir.Sub("site")], ["triage", "--provider", "none"],
                 })
        {
            var r = Cli(args);
            Assert.True(r.ExitCode == 0, $"sentinel {string.Join(' ', args)} exited {r.ExitCode}: {r.Stderr}");
        }
    }

    // ---- 1. undecodable text ----

    public static TheoryData<string, string> LoneSurrogates() => new()
    {
        { "event.timestamp", Bundle([Event(timestamp: @"2026-10-01T12:00:00\ud800+00:00"), Event(message: "ok")]) },
        { "event.level", Bundle([Event(level: @"ERR\ud800"), Event(message: "ok")]) },
        { "event.extra.library", Bundle([Event(library: @"alpha\ud800"), Event(message: "ok")]) },
        { "event.extra.version", Bundle([Event(version: @"1.0\ud800"), Event(message: "ok")]) },
        { "event.extra.caller", Bundle([Event(extraMore: @",""caller"":""x\ud800"""), Event(message: "ok")]) },
    };

    [Theory]
    [MemberData(nameof(LoneSurrogates))]
    public async Task Ingest_WhenAnEventFieldHoldsALoneSurrogate_RejectsThatEventWithReasonAndStoresTheRest(string field, string bundle)
    {
        var bad = WriteFile("in", "bad.json", bundle);
        var good = Good("in");

        var result = await IngestAsync(_dir.Sub("in"));

        Assert.Equal(ExitCode.PartialFailure, result.ExitCode);
        var q = Assert.Single(result.Quarantined);
        Assert.Equal(bad, q.Input);
        Assert.Contains("lone surrogate", q.Reason, StringComparison.Ordinal);
        Assert.Equal(InputStatus.Partial, result.Outcomes.Single(o => o.Input == bad).Status);
        AssertStored(result, good);
        Assert.Equal(3, EventsInLake());
        Assert.NotNull(field);
    }

    public static TheoryData<string, string> LoneSurrogateBundleFields() => new()
    {
        { "catalog title", Bundle([Event()], title: @"Bad \ud800 title") },
        { "python.version", Bundle([Event()], python: @"3.11\ud800") },
        { "platform.system", Bundle([Event()], system: @"Linux\udc00") },
    };

    [Theory]
    [MemberData(nameof(LoneSurrogateBundleFields))]
    public async Task Ingest_WhenABundleFieldHoldsALoneSurrogate_DropsThatFieldAndCountsIt(string field, string bundle)
    {
        var bad = WriteFile("in", "bad.json", bundle);
        var good = Good("in");

        var result = await IngestAsync(_dir.Sub("in"));

        Assert.Equal(ExitCode.Success, result.ExitCode);
        Assert.Equal(InputStatus.Accepted, result.Outcomes.Single(o => o.Input == bad).Status);
        AssertStored(result, good);
        Assert.True(result.Redactions.GetValueOrDefault("invalid.undecodable_text") >= 1, field);
    }

    [Fact]
    public async Task Inspect_WhenAFieldHoldsALoneSurrogate_ReportsAPartialVerdict()
    {
        var bad = WriteFile("in", "bad.json", Bundle([Event(level: @"\ud800"), Event(message: "ok")], python: @"3.\ud800"));

        var r = SentinelRunner.Cli(_dir.Path, "inspect", bad, "--format", "json");

        Assert.Equal(ExitCode.PartialFailure, r.ExitCode);
        Assert.Contains("lone surrogate", r.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_WhenALoneSurrogateUploadComesThroughTheInbox_TheBatchCommitsAndTheDailyJobRuns()
    {
        WriteFile("inbox", "20261001T120000Z-0001.json", Bundle([Event(timestamp: @"\ud800"), Event(level: @"\udfff")]));
        Good("inbox", "20261001T120000Z-0002.json");

        var ingest = Cli("ingest", "--inbox", _dir.Sub("inbox"), "--format", "json");

        Assert.Equal(ExitCode.PartialFailure, ingest.ExitCode);
        Assert.Equal(2, EventsInLake());
        AssertDailyCommandsSucceed();
    }

    [Fact]
    public async Task Ingest_WhenReadingOneUploadThrowsUnexpectedly_QuarantinesItAsInternalWithoutTheMessageAndGoesOn()
    {
        var bad = WriteFile("in", "a-bad.json", Bundle([Event()], runId: "bad-run"));
        var good = Good("in");
        var options = new IngestOptions([_dir.Sub("in")], TestLake.At(Lake), new Sentinel.Config.SentinelConfig(), VersionHints.None)
        {
            BeforeRead = path => _ = path == bad ? throw new InvalidOperationException("secret user text") : 0,
        };

        var result = await SentinelRunner.IngestAsync(options);

        Assert.Equal(ExitCode.PartialFailure, result.ExitCode);
        var q = Assert.Single(result.Quarantined);
        Assert.Equal(bad, q.Input);
        Assert.Contains("internal: InvalidOperationException", q.Reason, StringComparison.Ordinal);
        Assert.DoesNotContain("secret user text", q.Reason, StringComparison.Ordinal);
        var entry = Assert.Single(Quarantine.List(new LakePaths(Lake)));
        Assert.Equal("internal", Assert.Single(entry.Problems).Field);
        AssertStored(result, good);
        Assert.Equal(2, EventsInLake());
    }

    // ---- 2. links, devices, FIFOs ----

    /// <summary>A directory bundle whose bundle.json is real and whose events.jsonl is made by <paramref name="makeEvents"/>.</summary>
    private string DirectoryBundle(string folder, Action<string> makeEvents)
    {
        var dir = _dir.Sub(folder);
        Directory.CreateDirectory(dir);
        File.WriteAllText(Path.Combine(dir, "bundle.json"), Bundle([], runId: folder));
        makeEvents(Path.Combine(dir, "events.jsonl"));
        return dir;
    }

    private void AssertQuarantineHoldsNoHostFile()
    {
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Lake, "quarantine"), "*", SearchOption.AllDirectories))
        {
            Assert.False(new FileInfo(file).LinkTarget is not null, file);
            Assert.DoesNotContain("root:", File.ReadAllText(file), StringComparison.Ordinal);
        }
    }

    public static TheoryData<string> SpecialEventFiles() => new() { "/etc/passwd", "/dev/zero", "fifo" };

    [Theory]
    [MemberData(nameof(SpecialEventFiles))]
    public async Task Ingest_WhenEventsJsonlIsALinkOrAFifo_RefusesItWithoutReadingAndStoresTheGoodBundle(string kind)
    {
        var bad = DirectoryBundle("in/bad", events =>
        {
            if (kind == "fifo")
            {
                MakeFifo(events);
            }
            else
            {
                File.CreateSymbolicLink(events, kind);
            }
        });
        var good = Good("in");

        var ingest = Task.Run(() => IngestAsync(_dir.Sub("in")));
        var finished = await Task.WhenAny(ingest, Task.Delay(TimeSpan.FromSeconds(30)));
        Assert.True(finished == ingest, "ingest hung on " + kind);
        var result = await ingest;

        Assert.Equal(ExitCode.PartialFailure, result.ExitCode);
        var q = Assert.Single(result.Quarantined);
        Assert.Equal(bad, q.Input);
        Assert.Contains("events.jsonl is a " + (kind == "fifo" ? "FIFO" : "symbolic link"), q.Reason, StringComparison.Ordinal);
        AssertStored(result, good);
        AssertQuarantineHoldsNoHostFile();
    }

    [Fact]
    public async Task Ingest_WhenBundleJsonIsALinkToAnotherJsonFile_RefusesIt()
    {
        var elsewhere = Good("elsewhere", "private.json", runId: "private-run");
        var bad = _dir.Sub("in/bad");
        Directory.CreateDirectory(bad);
        File.CreateSymbolicLink(Path.Combine(bad, "bundle.json"), elsewhere);
        var good = Good("in");

        var result = await IngestAsync(_dir.Sub("in"));

        var q = Assert.Single(result.Quarantined);
        Assert.Contains("bundle.json is a symbolic link", q.Reason, StringComparison.Ordinal);
        AssertStored(result, good);
        Assert.Equal(2, EventsInLake());
    }

    [Fact]
    public async Task Ingest_WhenTheInputPathItselfIsALink_SkipsItWithoutFollowing()
    {
        var target = Good("elsewhere", "target.json", runId: "target-run");
        var link = _dir.Sub("link.json");
        File.CreateSymbolicLink(link, target);
        var folderLink = _dir.Sub("folder-link");
        Directory.CreateSymbolicLink(folderLink, _dir.Sub("elsewhere"));
        var good = Good("in");

        var result = await IngestAsync(link, folderLink, good);

        Assert.Equal(ExitCode.PartialFailure, result.ExitCode);
        Assert.Equal(2, result.Skipped.Count);
        Assert.All(result.Skipped, s => Assert.Contains("symbolic link", s.Message, StringComparison.Ordinal));
        AssertStored(result, good);
        Assert.Equal(2, EventsInLake());
    }

    private static void MakeFifo(string path)
    {
        using var p = System.Diagnostics.Process.Start("mkfifo", [path]);
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
    }

    // ---- 7. bounded quarantine ----

    [Fact]
    public async Task Ingest_WhenARejectedFileIsOverTheQuarantineCap_KeepsOnlyItsSizeAndHash()
    {
        var big = WriteFile("in", "big.json", "{\"events\": [" + new string(' ', 2 << 20) + "oops");
        var good = Good("in");
        var config = new Sentinel.Config.SentinelConfig();
        config.Ingest.Limits.MaxQuarantineCopyMb = 1;

        var result = await SentinelRunner.IngestAsync(new IngestOptions([_dir.Sub("in")], TestLake.At(Lake), config, VersionHints.None));

        var q = Assert.Single(result.Quarantined);
        Assert.Equal(big, q.Input);
        AssertStored(result, good);
        var entry = Path.Combine(Lake, "quarantine", q.QuarantineId!);
        Assert.Null(Quarantine.StoredInput(new LakePaths(Lake), q.QuarantineId!));
        var omitted = File.ReadAllText(Path.Combine(entry, "omitted.txt"));
        Assert.Contains("big.json\t" + new FileInfo(big).Length + " bytes\tsha256 ", omitted, StringComparison.Ordinal);
        Assert.True(Directory.EnumerateFiles(entry, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length) < 64 * 1024);
    }

    // ---- 3. non-finite statistics ----

    [Fact]
    public void Aggregate_WhenTimingsAreAtTheEdgesOfDouble_WritesStrictJsonSummariesAndTheDailyCommandsStillRun()
    {
        var bundles = _dir.Sub("bundles");
        var timings = new[] { ("1.0.0", 1e-300), ("1.1.0", 1e300), ("1.2.0", 1e-300), ("1.3.0", 5e8) };
        foreach (var (version, p95) in timings)
        {
            for (var run = 0; run < 4; run++)
            {
                SyntheticBundle.Write(bundles, "alpha", version, run, [new SyntheticEvent("WARNING", "ALPHA-W001")],
                    timings: new Dictionary<string, (int, double)> { ["alpha.core.work"] = (50, p95) }, day: run);
            }
        }

        Assert.Equal(0, Cli("ingest", bundles).ExitCode);
        var aggregate = Cli("aggregate");
        Assert.True(aggregate.ExitCode == 0, aggregate.Stderr);

        foreach (var file in Directory.EnumerateFiles(Path.Combine(Lake, "summary"), "*.json"))
        {
            // JsonDocument is strict: a bare Infinity or NaN is a parse error.
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
        }

        using (var regressions = JsonDocument.Parse(File.ReadAllText(Path.Combine(Lake, "summary", "regressions.json"))))
        {
            var performance = regressions.RootElement.EnumerateArray().Where(r => r.GetProperty("kind").GetString() == "performance").ToList();
            Assert.NotEmpty(performance);
            Assert.Contains(performance, r => r.GetProperty("ratio").ValueKind == JsonValueKind.Null
                && r.GetProperty("reason").GetString()!.Contains("not a finite number", StringComparison.Ordinal));
        }

        AssertDailyCommandsSucceed();
    }

    // ---- 4. ambiguous JSON ----

    public static TheoryData<string, string> AmbiguousDocuments() => new()
    {
        { Bundle([Event()]).Replace("\"events\":[", "\"events\":[],\"events\":[", StringComparison.Ordinal), "duplicate key 'events' in the bundle object" },
        { Bundle([Event()]).Replace("\"events\":[", "\"ev\\u0065nts\":[],\"events\":[", StringComparison.Ordinal), "duplicate key 'events' in the bundle object" },
        { Bundle([Event()]).Replace("\"python\":{", "\"python\":{\"version\":\"2.7.1\",", StringComparison.Ordinal), "duplicate key 'version' in python" },
        { Bundle([Event()]).Replace("\"codes\":{", "\"codes\":{\"ALPHA-E001\":{},", StringComparison.Ordinal), "duplicate key 'ALPHA-E001' in codes" },
    };

    [Theory]
    [MemberData(nameof(AmbiguousDocuments))]
    public async Task Ingest_WhenTheBundleHasADuplicateKey_RejectsTheDocumentWithReason(string bundle, string reason)
    {
        var bad = WriteFile("in", "bad.json", bundle);
        var good = Good("in");

        var result = await IngestAsync(_dir.Sub("in"));

        var q = Assert.Single(result.Quarantined);
        Assert.Equal(bad, q.Input);
        Assert.Contains(reason, q.Reason, StringComparison.Ordinal);
        Assert.Equal(InputStatus.Quarantined, result.Outcomes.Single(o => o.Input == bad).Status);
        AssertStored(result, good);
        Assert.Equal(2, EventsInLake());
    }

    public static TheoryData<string, string> AmbiguousEvents() => new()
    {
        { Event().Replace("\"level\":\"ERROR\"", "\"level\":\"ERROR\",\"level\":\"DEBUG\"", StringComparison.Ordinal), "level" },
        { Event().Replace("\"level\":\"ERROR\"", "\"level\":\"ERROR\",\"lev\\u0065l\":\"DEBUG\"", StringComparison.Ordinal), "level" },
        { Event(extraMore: ",\"library\":\"beta\""), "extra.library" },
    };

    [Theory]
    [MemberData(nameof(AmbiguousEvents))]
    public async Task Ingest_WhenAnEventHasADuplicateKey_RejectsThatEventWithReason(string badEvent, string field)
    {
        var bad = WriteFile("in", "bad.json", Bundle([badEvent, Event(message: "fine")]));
        var good = Good("in");

        var result = await IngestAsync(_dir.Sub("in"));

        var q = Assert.Single(result.Quarantined);
        Assert.Equal(bad, q.Input);
        Assert.Contains("duplicate key", q.Reason, StringComparison.Ordinal);
        var outcome = result.Outcomes.Single(o => o.Input == bad);
        Assert.Equal(InputStatus.Partial, outcome.Status);
        Assert.Equal(field, Assert.Single(outcome.Problems).Field);
        AssertStored(result, good);
        Assert.Equal(3, EventsInLake());
    }

    [Fact]
    public async Task Ingest_WhenFilesStartWithAByteOrderMark_AcceptsThem()
    {
        var bom = "\uFEFF";
        var single = WriteFile("in", "bom.json", bom + Bundle([Event(message: "bom single")], runId: "bom-single"));
        var folder = _dir.Sub("in/bom-dir");
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "bundle.json"), bom + Bundle([], runId: "bom-dir"), new System.Text.UTF8Encoding(false));
        File.WriteAllText(Path.Combine(folder, "events.jsonl"), bom + Event(message: "bom line") + "\n", new System.Text.UTF8Encoding(false));

        var result = await IngestAsync(_dir.Sub("in"));

        Assert.Equal(ExitCode.Success, result.ExitCode);
        Assert.Equal([0xEF, 0xBB, 0xBF], File.ReadAllBytes(single)[..3]);
        Assert.Equal(2, result.Accepted);
        Assert.Equal(2, EventsInLake());
    }

    // ---- 5. files beside the bundles ----

    [Fact]
    public async Task Ingest_WhenDocumentationAndDotfilesSitBesideTheBundles_IgnoresAndCountsThem()
    {
        var good = Good("in");
        WriteFile("in", "README.md", "# uploads");
        WriteFile("in", "notes.txt", "todo");
        WriteFile("in", "LICENSE", "MIT");
        WriteFile("in", ".DS_Store", "x");
        WriteFile("in/sub", "CHANGELOG.md", "x");

        var result = await IngestAsync(_dir.Sub("in"));

        Assert.Equal(ExitCode.Success, result.ExitCode);
        Assert.Empty(result.Skipped);
        Assert.Equal(5, result.Ignored);
        AssertStored(result, good);
    }

    [Fact]
    public void IngestCli_OnTheSamplesFolderWithItsReadme_ExitsZeroAndReportsIgnored()
    {
        var r = Cli("ingest", Path.Combine(Corpus.RepoRoot(), "samples"), "--format", "json");

        Assert.True(r.ExitCode == 0, r.Stdout + r.Stderr);
        using var doc = JsonDocument.Parse(r.Stdout);
        Assert.True(doc.RootElement.GetProperty("ignored").GetInt32() >= 2); // README.md, sentinel.yml
        Assert.Equal(0, doc.RootElement.GetProperty("skipped").GetArrayLength());
    }

    // ---- 6. usage errors are one line ----

    private static void AssertOneLineUsageError(SentinelRunner.ProcessResult r)
    {
        Assert.True(r.ExitCode == ExitCode.InvalidUsage, $"exit {r.ExitCode}: {r.Stderr}");
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, r.Stderr);
        Assert.StartsWith("sentinel: ", lines[0], StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Sentinel.Config", r.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Version=", r.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("notaurl")]
    [InlineData("ftp://127.0.0.1:21")]
    [InlineData(";")]
    public void Serve_WithAUrlThatIsNotOne_IsAOneLineUsageError(string urls)
    {
        var r = Cli("serve", "--urls", urls, "--inbox", _dir.Sub("inbox"));

        AssertOneLineUsageError(r);
        Assert.Contains("--urls", r.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ingest:\n  limits: [oops\n")]
    [InlineData("ingest:\n  limits:\n    - 1\n    - 2\n")]
    [InlineData("ingest:\n  limits:\n    max_depth: abc\n")]
    [InlineData("ingest:\n  limits:\n    max_depth: 99999999999999999999\n")]
    [InlineData("just text\n")]
    [InlineData("ingest: {a: b\n")]
    [InlineData("ingest:\n\tlimits: 1\n")]
    public void AnyCommand_WithBrokenYamlInSentinelYml_IsAOneLineConfigError(string yaml)
    {
        File.WriteAllText(_dir.Sub("sentinel.yml"), yaml);

        var r = Cli("ingest", Good("in"));

        AssertOneLineUsageError(r);
        Assert.Contains("sentinel.yml", r.Stderr, StringComparison.Ordinal);
    }

    // ---- 7. absurd values ----

    [Theory]
    [InlineData("0001-01-01T00:00:00+00:00")]
    [InlineData("1999-12-31T23:59:59+00:00")]
    [InlineData("9999-12-31T23:59:59+00:00")]
    public async Task Ingest_WhenAnEventTimestampIsAbsurd_RejectsThatEventWithReason(string timestamp)
    {
        var bad = WriteFile("in", "bad.json", Bundle([Event(timestamp: timestamp), Event(message: "fine")]));
        var good = Good("in");

        var result = await IngestAsync(_dir.Sub("in"));

        var outcome = result.Outcomes.Single(o => o.Input == bad);
        Assert.Equal(InputStatus.Partial, outcome.Status);
        var problem = Assert.Single(outcome.Problems);
        Assert.Equal("timestamp", problem.Field);
        Assert.Contains("out of range", problem.Message, StringComparison.Ordinal);
        AssertStored(result, good);
        using var reader = new LakeReader(Lake);
        Assert.Equal(0, reader.Scalar<long>("SELECT count(*) FROM events WHERE timestamp < TIMESTAMPTZ '2000-01-01' OR timestamp > TIMESTAMPTZ '2030-01-01'"));
    }

    [Fact]
    public async Task Ingest_WhenAnEventIsMoreThanADayAfterTheInjectedClock_RejectsThatEvent()
    {
        var bad = WriteFile("in", "bad.json", Bundle([Event(timestamp: "2026-10-03T12:00:00+00:00"), Event(timestamp: "2026-10-02T11:00:00+00:00")]));
        var clock = new FixedClock(new DateTimeOffset(2026, 10, 1, 12, 0, 0, TimeSpan.Zero));
        var options = new IngestOptions([bad], TestLake.At(Lake, clock), new Sentinel.Config.SentinelConfig(), VersionHints.None);

        var result = await SentinelRunner.IngestAsync(options);

        var outcome = Assert.Single(result.Outcomes);
        Assert.Equal(InputStatus.Partial, outcome.Status);
        Assert.EndsWith("events[0]", Assert.Single(outcome.Problems).Where, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Ingest_WhenAZipMemberUnderDeclaresItsSize_ReportsADamagedArchive()
    {
        var lines = string.Join("\n", Enumerable.Range(0, 40).Select(i => Event(message: "line " + i))) + "\n";
        var zip = _dir.Sub("in/short.zip");
        Directory.CreateDirectory(_dir.Sub("in"));
        using (var archive = System.IO.Compression.ZipFile.Open(zip, System.IO.Compression.ZipArchiveMode.Create))
        {
            foreach (var (name, text) in new[] { ("bundle.json", Bundle([], runId: "zip-run")), ("events.jsonl", lines) })
            {
                using var w = new StreamWriter(archive.CreateEntry(name, System.IO.Compression.CompressionLevel.NoCompression).Open());
                w.Write(text);
            }
        }

        // Halve events.jsonl's sizes in its local header and in the central directory: a stored member then
        // reads as its first half, which ends in a cut line.
        var bytes = File.ReadAllBytes(zip);
        var half = (uint)(System.Text.Encoding.UTF8.GetByteCount(lines) / 2);
        for (var at = 0; at + 46 < bytes.Length; at++)
        {
            var signature = BitConverter.ToUInt32(bytes, at);
            var (nameAt, sizesAt) = signature == 0x04034b50 ? (30, 18) : signature == 0x02014b50 ? (46, 20) : (0, 0);
            if (nameAt > 0 && System.Text.Encoding.ASCII.GetString(bytes, at + nameAt, 12) == "events.jsonl")
            {
                BitConverter.TryWriteBytes(bytes.AsSpan(at + sizesAt), half);
                BitConverter.TryWriteBytes(bytes.AsSpan(at + sizesAt + 4), half);
            }
        }

        File.WriteAllBytes(zip, bytes);
        var good = Good("in");

        var result = await IngestAsync(_dir.Sub("in"));

        var q = Assert.Single(result.Quarantined);
        Assert.Equal(zip, q.Input);
        Assert.Contains("damaged archive", q.Reason, StringComparison.Ordinal);
        Assert.Equal(InputStatus.Quarantined, result.Outcomes.Single(o => o.Input == zip).Status);
        AssertStored(result, good);
        Assert.Equal(2, EventsInLake());
    }

    // ---- 9. the daily job isolates faults ----

    [Fact]
    public void Run_WithPoisonedUploadsBesideGoodOnes_PublishesAndExitsTwo()
    {
        WriteFile("in", "surrogate.json", Bundle([Event(level: @"\ud800")], python: @"\udc00", runId: "poison-1"));
        WriteFile("in", "dupkeys.json", Bundle([Event()]).Replace("\"events\":[", "\"events\":[],\"events\":[", StringComparison.Ordinal));
        DirectoryBundle("in/linked", events => File.CreateSymbolicLink(events, "/dev/zero"));
        WriteFile("in", "README.md", "# not an upload");
        foreach (var (version, p95) in new[] { ("1.0.0", 1e-300), ("1.1.0", 1e300) })
        {
            for (var run = 0; run < 3; run++)
            {
                SyntheticBundle.Write(_dir.Sub("in"), "alpha", version, run, [new SyntheticEvent("ERROR", "ALPHA-E001")],
                    timings: new Dictionary<string, (int, double)> { ["alpha.core.work"] = (50, p95) }, day: run);
            }
        }

        var r = Cli("run", _dir.Sub("in"), "--out", _dir.Sub("site"), "--triage");

        Assert.True(r.ExitCode == ExitCode.PartialFailure, $"exit {r.ExitCode}: {r.Stderr}");
        Assert.Contains("ingest: quarantined", r.Stderr, StringComparison.Ordinal);
        Assert.True(File.Exists(_dir.Sub("site/index.html")));
        Assert.True(EventsInLake() >= 12);
        foreach (var file in Directory.EnumerateFiles(Path.Combine(Lake, "summary"), "*.json"))
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(file));
        }

        AssertDailyCommandsSucceed();
    }

    // ---- 8. cardinality ----

    [Fact]
    public async Task Ingest_WhenOneUploadBringsMoreDistinctValuesThanTheCap_FoldsTheRestIntoOther()
    {
        var events = Enumerable.Range(0, 30).Select(i => Event(code: $"ALPHA-E{i:000}", message: "m" + i)
            .Replace("\"source\":\"alpha.core\"", $"\"source\":\"alpha.mod{i}\"", StringComparison.Ordinal)
            .Replace("00000000000000e1", $"{i:x16}", StringComparison.Ordinal));
        var timings = string.Join(",", Enumerable.Range(0, 30).Select(i => $"\"alpha.f{i}\":{{\"count\":10,\"p50_ms\":1,\"p95_ms\":2,\"max_ms\":3}}"));
        var bomb = WriteFile("in", "bomb.json", Bundle(events, timings: timings, runId: "bomb"));
        var good = Good("in");
        var config = new Sentinel.Config.SentinelConfig();
        config.Ingest.Limits.MaxDistinctPerUpload = 10;

        var result = await SentinelRunner.IngestAsync(new IngestOptions([_dir.Sub("in")], TestLake.At(Lake), config, VersionHints.None));

        Assert.Equal(ExitCode.Success, result.ExitCode);
        AssertStored(result, good);
        Assert.Equal(30, result.Outcomes.Single(o => o.Input == bomb).EventsWritten);
        Assert.Equal(20, result.Redactions["folded.code"]);
        Assert.Equal(20, result.Redactions["folded.source"]);
        Assert.Equal(20, result.Redactions["folded.trace_hash"]);
        Assert.Equal(20, result.Redactions["folded.function"]);
        using (var reader = new LakeReader(Lake))
        {
            Assert.Equal(20, reader.Scalar<long>("SELECT count(*) FROM events WHERE code = 'other' AND source = 'alpha.other' AND trace_hash = 'other'"));
            Assert.Equal(11, reader.Scalar<long>("SELECT count(DISTINCT code) FROM events WHERE bundle_id IN (SELECT bundle_id FROM events WHERE code = 'other')"));
            Assert.Equal(10, reader.Scalar<long>("SELECT count(*) FROM performance"));
        }

        AssertDailyCommandsSucceed();
    }

    /// <summary>A bundle of library <paramref name="library"/> with one event per code (each its own source and fingerprint) and one timing per code.</summary>
    private static string ManyCodes(string library, IEnumerable<int> codes, string runId) =>
        Bundle(
            codes.Select(i => Event(library: library, code: $"{library.ToUpperInvariant()}-E{i:000}", message: "m" + i)
                .Replace($"\"source\":\"{library}.core\"", $"\"source\":\"{library}.mod{i}\"", StringComparison.Ordinal)
                .Replace("00000000000000e1", $"{i + 1:x16}", StringComparison.Ordinal)),
            timings: string.Join(",", codes.Select(i => $"\"{library}.f{i}\":{{\"count\":10,\"p50_ms\":1,\"p95_ms\":2,\"max_ms\":3}}")),
            runId: runId);

    private Task<IngestResult> IngestCappedAsync(string file, int cap, DateTimeOffset day, Action<string>? beforeCommitRename = null)
    {
        var config = new Sentinel.Config.SentinelConfig();
        config.Ingest.Limits.MaxDistinctPerLibraryDay = cap;
        return SentinelRunner.IngestAsync(new IngestOptions([file], TestLake.At(Lake, new FixedClock(day)), config, VersionHints.None)
        {
            BeforeCommitRename = beforeCommitRename,
        });
    }

    private static readonly DateTimeOffset Day1 = new(2026, 10, 1, 14, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Ingest_WhenManyUploadsBringFreshCodesForOneLibraryOnOneDay_TheLibraryGainsAtMostTheCapThatDay()
    {
        const int cap = 5;
        var first = await IngestCappedAsync(WriteFile("in", "u1.json", ManyCodes("alpha", Enumerable.Range(0, 4), "u1")), cap, Day1);
        var second = await IngestCappedAsync(WriteFile("in", "u2.json", ManyCodes("alpha", Enumerable.Range(4, 4), "u2")), cap, Day1);
        // Only codes admitted earlier that day: nothing folds, although the library is at its cap.
        var known = await IngestCappedAsync(WriteFile("in", "u3.json", ManyCodes("alpha", Enumerable.Range(0, 5), "u3")), cap, Day1);
        // Another library has its own budget; the next day starts a new one.
        var beta = await IngestCappedAsync(WriteFile("in", "u4.json", ManyCodes("beta", Enumerable.Range(0, 4), "u4")), cap, Day1);
        var nextDay = await IngestCappedAsync(WriteFile("in", "u5.json", ManyCodes("alpha", Enumerable.Range(10, 4), "u5")), cap, Day1.AddDays(1));

        Assert.All(new[] { first, second, known, beta, nextDay }, r => Assert.Equal(ExitCode.Success, r.ExitCode));
        Assert.False(first.Redactions.ContainsKey("folded.code"));
        Assert.Equal(3, second.Redactions["folded.code"]); // 4 + 4 fresh codes, cap 5: the last 3 fold
        Assert.Equal(3, second.Redactions["folded.source"]);
        Assert.Equal(3, second.Redactions["folded.trace_hash"]);
        Assert.Equal(3, second.Redactions["folded.function"]);
        Assert.Equal(4, second.Outcomes.Single().EventsWritten); // folded, not lost
        Assert.False(known.Redactions.ContainsKey("folded.code"));
        Assert.False(beta.Redactions.ContainsKey("folded.code"));
        Assert.False(nextDay.Redactions.ContainsKey("folded.code"));
        using (var reader = new LakeReader(Lake))
        {
            Assert.Equal(cap, reader.Scalar<long>($"SELECT count(DISTINCT code) FROM events WHERE library = 'alpha' AND received_at < TIMESTAMP '{Day1.AddDays(1):yyyy-MM-dd}' AND code <> 'other'"));
            Assert.Equal(3, reader.Scalar<long>("SELECT count(*) FROM events WHERE library = 'alpha' AND code = 'other' AND source = 'alpha.other' AND trace_hash = 'other'"));
            Assert.Equal(4, reader.Scalar<long>("SELECT count(DISTINCT code) FROM events WHERE library = 'beta'"));
            Assert.Equal(cap, reader.Scalar<long>($"SELECT count(DISTINCT function) FROM performance WHERE library = 'alpha' AND received_at < TIMESTAMP '{Day1.AddDays(1):yyyy-MM-dd}'"));
        }

        // The state is today's only: the next day's ingest removed the earlier day's file.
        Assert.Equal([$"{Day1.AddDays(1):yyyy-MM-dd}.json"], Directory.GetFiles(Path.Combine(Lake, "state", "distinct")).Select(Path.GetFileName));
        AssertDailyCommandsSucceed();
    }

    [Fact]
    public async Task Ingest_WhenACrashInterruptsTheCommit_TheCapStillHolds_AndARerunOfTheSameUploadIsNotFolded()
    {
        const int cap = 5;
        var u1 = WriteFile("in", "u1.json", ManyCodes("alpha", Enumerable.Range(0, 5), "u1"));
        var crashed = await Assert.ThrowsAnyAsync<IOException>(() => IngestCappedAsync(u1, cap, Day1, _ => throw new IOException("disk gone")));
        Assert.Contains("disk gone", crashed.Message, StringComparison.Ordinal);

        // The next run rolls the interrupted commit forward; its five codes count against the day.
        var fresh = await IngestCappedAsync(WriteFile("in2", "u2.json", ManyCodes("alpha", Enumerable.Range(20, 5), "u2")), cap, Day1);
        var again = await IngestCappedAsync(u1, cap, Day1);

        Assert.Equal(5, fresh.Redactions["folded.code"]);
        Assert.False(again.Redactions.ContainsKey("folded.code"));
        using var reader = new LakeReader(Lake);
        Assert.Equal(cap, reader.Scalar<long>("SELECT count(DISTINCT code) FROM events WHERE library = 'alpha' AND code <> 'other'"));
        Assert.Equal(10, reader.Scalar<long>("SELECT count(*) FROM events WHERE library = 'alpha'"));
    }

    [Fact]
    public async Task Ingest_WhenTheIngestFailsBeforeItsCommitPoint_TheCapStateDoesNotAdvance()
    {
        const int cap = 5;
        var stateFile = Path.Combine(Lake, "state", "distinct", $"{Day1:yyyy-MM-dd}.json");
        var u1 = WriteFile("in", "u1.json", ManyCodes("alpha", Enumerable.Range(0, 5), "u1"));
        // A file where the commit journal's folder belongs: everything is staged, then the journal cannot be written.
        var journal = Path.Combine(Lake, "state", "journal");
        Directory.CreateDirectory(Path.GetDirectoryName(journal)!);
        await File.WriteAllTextAsync(journal, "in the way");
        await Assert.ThrowsAnyAsync<IOException>(() => IngestCappedAsync(u1, cap, Day1));
        Assert.False(File.Exists(stateFile));
        File.Delete(journal);

        // The failed ingest stored nothing, so it spent none of the day's budget: five other fresh codes all pass.
        var fresh = await IngestCappedAsync(WriteFile("in2", "u2.json", ManyCodes("alpha", Enumerable.Range(20, 5), "u2")), cap, Day1);
        Assert.Equal(ExitCode.Success, fresh.ExitCode);
        Assert.False(fresh.Redactions.ContainsKey("folded.code"));
        Assert.True(File.Exists(stateFile));

        // The failed upload again: the budget is spent now, so its codes fold (counted, not lost).
        var retry = await IngestCappedAsync(u1, cap, Day1);
        Assert.Equal(5, retry.Redactions["folded.code"]);
        Assert.Equal(5, retry.Outcomes.Single().EventsWritten);

        // A duplicate of a stored upload is recognised before the cap: the state does not change.
        var state = await File.ReadAllTextAsync(stateFile);
        var duplicate = await IngestCappedAsync(u1, cap, Day1);
        Assert.Equal(1, duplicate.Duplicates);
        Assert.Equal(state, await File.ReadAllTextAsync(stateFile));
        using var reader = new LakeReader(Lake);
        Assert.Equal(["ALPHA-E020", "ALPHA-E021", "ALPHA-E022", "ALPHA-E023", "ALPHA-E024", "other"],
            reader.Rows("SELECT DISTINCT code FROM events WHERE library = 'alpha' ORDER BY code").Select(r => (string)r[0]!));
    }

    [Fact]
    public void Config_WithANonPositiveDayCap_IsAConfigError()
    {
        File.WriteAllText(Path.Combine(_dir.Path, "sentinel.yml"), "ingest:\n  limits:\n    max_distinct_per_library_day: 0\n");
        var r = Cli(["ingest", Good("in")]);
        Assert.Equal(ExitCode.InvalidUsage, r.ExitCode);
        Assert.False(Directory.Exists(Lake));
        Assert.Contains("ingest.limits must be positive", r.Stderr, StringComparison.Ordinal);
    }
}

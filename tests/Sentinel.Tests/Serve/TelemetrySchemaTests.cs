using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Json.Schema;
using Sentinel.Ingest;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Serve;

/// <summary>
/// The published JSON Schema (docs/schemas/telemetry-event.schema.json), the server's validator and ingest's reader
/// describe one contract: same fields, same required set, same patterns, and the same verdict on sample records,
/// checked with an independent JSON Schema validator (JsonSchema.Net).
/// </summary>
public sealed partial class TelemetrySchemaTests
{
    private static readonly Lazy<JsonDocument> SchemaDoc = new(() =>
        JsonDocument.Parse(File.ReadAllBytes(Path.Combine(Corpus.RepoRoot(), "docs", "schemas", "telemetry-event.schema.json"))));

    private static JsonElement Schema => SchemaDoc.Value.RootElement;

    private const string Ok = """{"timestamp":"2026-10-04T17:42:53.378820+00:00","level":"WARNING","library":"molsysmt"}""";

    [Fact]
    public void SchemaFile_StatesExactlyTheValidatorsTable()
    {
        Assert.Equal("https://json-schema.org/draft/2020-12/schema", Schema.GetProperty("$schema").GetString());
        Assert.Equal("object", Schema.GetProperty("type").GetString());
        Assert.False(Schema.GetProperty("additionalProperties").GetBoolean());
        Assert.Equal(TelemetrySchema.Required, Schema.GetProperty("required").EnumerateArray().Select(e => e.GetString()!));
        Assert.Equal(["timestamp", "level", "library"], TelemetrySchema.Required);

        var properties = Schema.GetProperty("properties").EnumerateObject().ToList();
        Assert.Equal(TelemetrySchema.Fields.Select(f => f.Name), properties.Select(p => p.Name));
        foreach (var field in TelemetrySchema.Fields)
        {
            var p = Schema.GetProperty("properties").GetProperty(field.Name);
            Assert.False(string.IsNullOrWhiteSpace(p.GetProperty("description").GetString()), field.Name);
            var types = p.GetProperty("type").ValueKind == JsonValueKind.Array
                ? p.GetProperty("type").EnumerateArray().Select(t => t.GetString()!).ToList()
                : [p.GetProperty("type").GetString()!];
            Assert.Equal(field.Required ? ["string"] : ["string", "null"], types);
            Assert.Equal(field.MaxLength, p.GetProperty("maxLength").GetInt32());
            Assert.Equal(field.Pattern, p.TryGetProperty("pattern", out var pattern) ? pattern.GetString() : null);
            if (field.Allowed is null)
            {
                Assert.False(p.TryGetProperty("enum", out _), field.Name);
            }
            else
            {
                var allowed = p.GetProperty("enum").EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Null ? null : e.GetString()).ToList();
                List<string?> expected = [.. field.Allowed];
                if (!field.Required)
                {
                    expected.Add(null);
                }

                Assert.Equal(expected, allowed);
            }
        }

        // The fields DESIGN §3 never lets through are not in the schema.
        foreach (var never in new[] { "message", "human_summary", "argv", "context", "extra", "runtime", "config", "session_id", "run_key", "event_id" })
        {
            Assert.False(Schema.GetProperty("properties").TryGetProperty(never, out _), never);
        }
    }

    [Fact]
    public void VersionPattern_IsAttributionsPattern_LowerCaseOnly()
    {
        // Attribution (bundle ingest) accepts the public part of these versions; the telemetry pattern accepts the
        // lower-case ones on the wire (a local label included: ingest drops it, as for bundles).
        var pattern = new Regex(TelemetrySchema.Fields.Single(f => f.Name == "version").Pattern!);
        foreach (var v in new[] { "0.9.0", "1.0.0rc1", "2.4.0.post1", "1.0.dev3", "v3.2", "0.10.1+local.7", "1!2.0" })
        {
            var attribution = Attribution.IsVersion(Attribution.PublicPart(v));
            Assert.Equal(attribution, pattern.IsMatch(v));
        }

        Assert.False(Attribution.IsVersion("0.10.1+local.7")); // never stored with its local label
        Assert.Equal("0.10.1", Attribution.PublicPart("0.10.1+local.7"));

        Assert.True(Attribution.IsVersion("1.0.0RC1"));
        Assert.DoesNotMatch(pattern, "1.0.0RC1");
    }

    public static TheoryData<string, bool> Samples() => new()
    {
        { Ok, true },
        { Ok.Replace("}", ",\"version\":\"0.9.0\",\"code\":\"MSM-ERR-IO-002\",\"category\":null,\"exception_type\":\"FileNotFoundInputError\",\"source\":\"molsysmt.basic.convert\",\"trace_hash\":\"7d72271524f986c1\",\"run_id\":\"24702f77784a69248fbf281b04f9a783\",\"python_version\":\"3.11\",\"platform\":\"Linux-x86_64\",\"profile\":\"user\",\"smonitor_version\":\"0.13.0\"}", StringComparison.Ordinal), true },
        { Ok.Replace("+00:00", "Z", StringComparison.Ordinal), true },
        { Ok.Replace("2026-10-04T17:42:53.378820+00:00", "2026-10-04 17:42+0530", StringComparison.Ordinal), true },
        { Ok.Replace("}", ",\"platform\":\"Windows\",\"profile\":null}", StringComparison.Ordinal), true },
        { Ok.Replace("molsysmt", "mol\\u0073ysmt", StringComparison.Ordinal), true }, // JSON escapes are read as what they mean
        { Ok.Replace("}", ",\"message\":\"x\"}", StringComparison.Ordinal), false },
        { Ok.Replace(",\"level\":\"WARNING\"", "", StringComparison.Ordinal), false },
        { Ok.Replace("\"WARNING\"", "\"warning\"", StringComparison.Ordinal), false },
        { Ok.Replace("\"WARNING\"", "2", StringComparison.Ordinal), false },
        { Ok.Replace("\"WARNING\"", "null", StringComparison.Ordinal), false },
        { Ok.Replace("+00:00", "", StringComparison.Ordinal), false },
        { Ok.Replace("2026-10-04T", "04/10/2026T", StringComparison.Ordinal), false },
        { Ok.Replace("molsysmt", "MolSysMT", StringComparison.Ordinal), false },
        { Ok.Replace("molsysmt", "9lives", StringComparison.Ordinal), false },
        { Ok.Replace("}", ",\"code\":\"has space\"}", StringComparison.Ordinal), false },
        { Ok.Replace("}", ",\"code\":\"\"}", StringComparison.Ordinal), false },
        { Ok.Replace("}", $",\"code\":\"{new string('C', 129)}\"}}", StringComparison.Ordinal), false },
        { Ok.Replace("}", ",\"trace_hash\":\"7D72271524F986C1\"}", StringComparison.Ordinal), false },
        { Ok.Replace("}", ",\"python_version\":\"3.11.9\"}", StringComparison.Ordinal), false },
        { Ok.Replace("}", ",\"platform\":\"Linux-6.5.0-41-generic-x86_64\"}", StringComparison.Ordinal), false },
        { Ok.Replace("}", ",\"profile\":\"admin\"}", StringComparison.Ordinal), false },
        { Ok.Replace("}", ",\"version\":\"latest\"}", StringComparison.Ordinal), false },
        { Ok.Replace("}", ",\"run_id\":42}", StringComparison.Ordinal), false },
        { Ok.Replace("}", ",\"extra\":{\"library\":\"molsysmt\"}}", StringComparison.Ordinal), false },
        { "[" + Ok + "]", false },
        { "\"molsysmt\"", false },
    };

    [Theory]
    [MemberData(nameof(Samples))]
    public void JsonSchemaNet_AndTheServersValidator_AgreeOnEachRecord(string record, bool valid)
    {
        var bySchema = JsonSchema.FromText(Schema.GetRawText()).Evaluate(JsonDocument.Parse(record).RootElement).IsValid;
        var byValidator = new TelemetryValidator().Check(Encoding.UTF8.GetBytes(record), 1, out var problem) is not null;

        Assert.Equal(valid, bySchema);
        Assert.True(valid == byValidator, $"validator: {problem?.Message}");
    }

    [Fact]
    public void EveryCorpusEvent_AsATelemetryRecord_IsValidForBoth()
    {
        var schema = JsonSchema.FromText(Schema.GetRawText());
        var files = Corpus.Bundles.Select(b => b.GetProperty("path").GetString()!)
            .Where(p => p.EndsWith(".json", StringComparison.Ordinal)).ToList();
        Assert.True(files.Count >= 15);
        var records = 0;
        foreach (var file in files)
        {
            var m = CorpusName().Match(file);
            Assert.True(m.Success, file);
            var validator = new TelemetryValidator();
            var lines = TelemetryRecords.FromBundle(file, m.Groups[1].Value, m.Groups[2].Value);
            for (var i = 0; i < lines.Count; i++)
            {
                Assert.True(schema.Evaluate(JsonDocument.Parse(lines[i]).RootElement).IsValid, $"{file} #{i}: {lines[i]}");
                Assert.True(validator.Check(Encoding.UTF8.GetBytes(lines[i]), i + 1, out var problem) is not null, $"{file} #{i}: {problem?.Message}");
                records++;
            }
        }

        Assert.True(records > 100, $"{records} records");
    }

    public static TheoryData<string, string> BeyondTheSchema() => new()
    {
        { Ok.Replace("2026-10-04", "2026-02-30", StringComparison.Ordinal), "not a real date" },
        { Ok.Replace("+00:00", "+25:00", StringComparison.Ordinal), "not a real date" },
        { Ok.Replace("}", ",\"source\":\"ghp_Q0vTwodAIfNq5es81FGOwr4ot8QWOwvZixGj\"}", StringComparison.Ordinal), "looks like a credential or personal data (github_token)" },
        { Ok.Replace("}", ",\"code\":\"AKIA3WKXZUGUZVBFWHCQ\"}", StringComparison.Ordinal), "looks like a credential or personal data (aws_access_key)" },
        { Ok.Replace("}", ",\"version\":\"10.8.0.23\"}", StringComparison.Ordinal), "looks like a credential or personal data (ipv4)" },
        { Ok.Replace("}", ",\"level\":\"ERROR\"}", StringComparison.Ordinal), "appears twice" },
        // ECMA-262's '$' is the end of the value, but .NET's and Python's also match before a final newline, so
        // JsonSchema.Net (and Python's jsonschema) let "MSM\n" through; the server refuses control characters in every field.
        { Ok.Replace("}", ",\"code\":\"MSM\\n\"}", StringComparison.Ordinal), "field 'code' does not match" },
    };

    /// <summary>What docs/ingestion-api.md says the server checks on top of the schema: the schema passes these, the server does not.</summary>
    [Theory]
    [MemberData(nameof(BeyondTheSchema))]
    public void ChecksBeyondTheSchema_SchemaPasses_ServerRefuses(string record, string message)
    {
        Assert.True(JsonSchema.FromText(Schema.GetRawText()).Evaluate(JsonDocument.Parse(record).RootElement).IsValid);
        Assert.Null(new TelemetryValidator().Check(Encoding.UTF8.GetBytes(record), 1, out var problem));
        Assert.Contains(message, problem!.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ServeAndIngest_AcceptAndRefuseTheSameBodies_WithTheSameLineAndMessage()
    {
        using var dir = new TempDir();
        var inbox = dir.Sub("inbox");
        var files = dir.Sub("files");
        Directory.CreateDirectory(files);
        var bodies = Samples().Select(row => (Record: (string)row[0], Valid: (bool)row[1]))
            .Select((s, i) => (Name: $"s{i:00}", Body: Ok + "\n\n" + s.Record + "\n", s.Valid))
            .Concat(BeyondTheSchema().Select((row, i) => (Name: $"b{i:00}", Body: Ok + "\n\n" + (string)row[0] + "\n", Valid: false)))
            .Append((Name: "x00", Body: Ok.Replace("}", ",\"profile\":\"dev\"}", StringComparison.Ordinal) + "\n" + Ok.Replace("}", ",\"profile\":\"qa\"}", StringComparison.Ordinal) + "\n", Valid: false))
            .ToList();

        var served = new Dictionary<string, (HttpStatusCode Status, string? Detail)>();
        await using (var server = await TestServer.StartAsync(inbox, o => o with { RateLimitPermits = 1000 }))
        {
            foreach (var (name, body, _) in bodies)
            {
                await File.WriteAllTextAsync(Path.Combine(files, name + ".telemetry.jsonl"), body);
                using var response = await server.PostEventsAsync(body);
                var json = await TestServer.JsonOf(response);
                served[name] = (response.StatusCode, json.TryGetProperty("detail", out var d) ? d.GetString() : null);
            }
        }

        var result = await SentinelRunner.IngestAsync(dir.Sub("lake"), files);
        Assert.Equal(bodies.Count, result.Inputs);
        foreach (var (name, _, valid) in bodies)
        {
            var outcome = result.Outcomes.Single(o => Path.GetFileName(o.Input) == name + ".telemetry.jsonl");
            var (status, detail) = served[name];
            if (valid)
            {
                Assert.True(status == HttpStatusCode.Accepted, $"{name}: {detail}");
                Assert.Equal(InputStatus.Accepted, outcome.Status);
                Assert.Empty(outcome.Problems);
            }
            else
            {
                Assert.Equal(HttpStatusCode.BadRequest, status);
                Assert.Equal(InputStatus.Partial, outcome.Status); // line 1 is good and kept, line 3 (or 2) is quarantined
                var problem = Assert.Single(outcome.Problems);
                var line = name == "x00" ? 2 : 3;
                Assert.Equal($"{Path.Combine(files, name + ".telemetry.jsonl")} line {line}", problem.Where);
                Assert.Equal($"line {line}: {problem.Message}", detail);
            }
        }

        // Ingest took exactly the files serve would have stored: serve's inbox holds one file per valid body.
        Assert.Equal(bodies.Count(b => b.Valid), TestServer.InboxFiles(inbox).Count);
    }

    [GeneratedRegex(@"^[a-z]\d+_([a-z]+)-([^_]+)_")]
    private static partial Regex CorpusName();
}

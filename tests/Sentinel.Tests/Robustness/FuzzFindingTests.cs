using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Robustness;

/// <summary>What the fuzz and property tests found, pinned as plain examples that fail until the product is fixed.</summary>
[Collection(RobustnessCollection.Name)]
public sealed class FuzzFindingTests
{
    /// <summary>
    /// Found by IngestFuzzTests' damage property in a longer run (SENTINEL_FUZZ_ITERATIONS=300 reaches it;
    /// replay that case with CsCheck_Seed=0000001diQet6): a zip whose central directory is damaged passes the
    /// ZipArchive constructor and fails only when its entries are listed. That must quarantine the one
    /// upload, not abort the whole run.
    /// </summary>
    [Fact]
    public async Task Ingest_ZipWithADamagedCentralDirectory_IsQuarantined_AndTheOtherUploadsAreCommitted()
    {
        using var dir = new TempDir("sentinel-zip");
        var zip = File.ReadAllBytes(Corpus.PathOf("m07_molsysmt-0.10.1_dev_dchen.zip"));
        var damaged = dir.Sub("m07_damaged.zip");
        await File.WriteAllBytesAsync(damaged, [.. zip[..(zip.Length / 2)], 0xFF, .. zip[(zip.Length / 2)..]]); // one stray byte mid-file
        var good = Corpus.PathOf("m01_molsysmt-0.9.0_user_mgarcia.json");
        var lake = dir.Sub("lake");

        var result = await SentinelRunner.IngestAsync(lake, good, damaged);

        Assert.Equal(ExitCode.PartialFailure, result.ExitCode);
        Assert.Equal(1, result.Accepted);
        var q = Assert.Single(result.Quarantined);
        Assert.Equal(damaged, q.Input);
        Assert.Contains("zip", q.Reason, StringComparison.Ordinal);
        using var reader = new LakeReader(lake);
        Assert.Equal(Corpus.Bundle("m01_molsysmt-0.9.0_user_mgarcia.json").GetProperty("n_events").GetInt64(), reader.Scalar<long>("SELECT count(*) FROM events"));
    }

    /// <summary>
    /// Fields the lake contract checks by pattern instead of by the scrubber. Credential shapes that are
    /// also identifier-like (GitHub and OpenAI tokens, AWS key ids, IPv6 addresses) fit those patterns.
    /// The transplant property of IngestFuzzTests finds these now and then (e.g. smonitor_version, CsCheck_Seed=000000001K3Nc);
    /// pinned here with one input each.
    /// </summary>
    [Theory]
    [InlineData("codes.*.category", "ghp_Q0vTwodAIfNq5es81FGOwr4ot8QWOwvZixGj")]
    [InlineData("platform.machine", "AKIA3NZWOPFBPEWROD5V")]
    [InlineData("smonitor_version", "0.13.0+AKIA3NZWOPFBPEWROD5V")]
    [InlineData("events[].extra.version", "0.9.0+ghp_Q0vTwodAIfNq5es81FGOwr4ot8QWOwvZixGj")]
    public async Task Ingest_PlantedSecretInAPatternCheckedField_NeverReachesTheLake(string field, string value)
    {
        using var dir = new TempDir("sentinel-secret");
        var bundle = JsonNode.Parse(File.ReadAllBytes(Corpus.PathOf("m01_molsysmt-0.9.0_user_mgarcia.json")))!.AsObject();
        switch (field)
        {
            case "codes.*.category":
                foreach (var (_, entry) in bundle["codes"]!.AsObject())
                {
                    entry!["category"] = value;
                }

                break;
            case "platform.machine":
                bundle["platform"]!["machine"] = value;
                break;
            case "smonitor_version":
                bundle["smonitor_version"] = value;
                break;
            default:
                // Every molsysmt event's own version pair (extra.library / extra.version).
                foreach (var ev in bundle["events"]!.AsArray().Select(e => e!["extra"]).OfType<JsonObject>().Where(x => (string?)x["library"] == "molsysmt"))
                {
                    ev["version"] = value;
                }

                break;
        }

        var input = dir.Sub("bundle.json");
        // Written the way Python's json.dumps writes it: '+' stays '+' (System.Text.Json's default would write \u002B).
        await File.WriteAllTextAsync(input, bundle.ToJsonString(new JsonSerializerOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }));
        var lake = dir.Sub("lake");
        var result = await SentinelRunner.IngestAsync(lake, input);

        Assert.Equal(ExitCode.Success, result.ExitCode);
        var secret = Corpus.PlantedSecrets.Single(s => value.Contains(s, StringComparison.Ordinal));
        using var reader = new LakeReader(lake);
        var leaks = reader.AllCellText().Where(c => c.Contains(secret, StringComparison.Ordinal))
            .Concat(LakeAudit.Layout(lake).Where(f => f.Contains(secret, StringComparison.Ordinal)))
            .Distinct(StringComparer.Ordinal).ToList();
        Assert.True(leaks.Count == 0, $"{field} = \"{value}\": the planted secret '{secret}' was stored: {string.Join(" | ", leaks)}");
    }

    /// <summary>
    /// Found by IngestFuzzTests' transplant property with its default seeds (CsCheck_Seed=000000000fJr1: a catalog
    /// user_hint "0.1+&lt;AWS secret key&gt;" is stored): the aws_secret_key rule only matches a base64 run of exactly
    /// 40 characters, so one more base64 character ('+', '/', a letter or digit) on either side hides the key.
    /// </summary>
    [Theory]
    [InlineData("0.1+oprOeuiVprIYvN1+LJg8w/FYazf9IYK++zS9GTfF")]
    [InlineData("key/VIJXU/2hHGYYyDtrIdRdXIKxcE3oucHDAce8qvxV")]
    public void Scrubber_AnAwsSecretKeyTouchingOtherBase64Characters_IsStillCaught(string value)
    {
        Assert.Contains(Corpus.PlantedSecrets, value.Contains);
        Assert.NotNull(Sentinel.Text.Scrubber.Check(value));
    }
}

using Sentinel.Config;

namespace Sentinel.Tests.Config;

public sealed class ConfigLoaderTests
{
    [Fact]
    public void Parse_EmptyFile_GivesTheDocumentedDefaults()
    {
        var c = ConfigLoader.Parse("", "sentinel.yml");
        Assert.Equal(5, c.Privacy.MinRunsPublic);
        Assert.Equal(["version", "project_version", "package_version"], c.Ingest.VersionKeys);
        Assert.Equal(64, c.Ingest.Limits.MaxDepth);
        Assert.Equal(1.5, c.Regressions.P95Ratio);
    }

    [Fact]
    public void Parse_UnknownKey_IsAnErrorNamingTheKey()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("ingest:\n  limits:\n    max_upload_gb: 3\n", "sentinel.yml"));
        Assert.Contains("'max_upload_gb'", e.Message, StringComparison.Ordinal);
        Assert.StartsWith("sentinel.yml:3", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_SamplesConfig_IsValid()
    {
        var path = Path.Combine(Support.Corpus.RepoRoot(), "samples", "sentinel.yml");
        var c = ConfigLoader.Load(path, explicitlyGiven: true);
        Assert.True(c.Libraries.ContainsKey("molsysmt"));
    }

    [Fact]
    public void Parse_InvalidValue_IsRejected()
    {
        var e = Assert.Throws<ConfigException>(() => ConfigLoader.Parse("privacy:\n  min_runs_public: 0\n", "x.yml"));
        Assert.Contains("min_runs_public", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_NamedFileMissing_IsAnError() =>
        Assert.Throws<ConfigException>(() => ConfigLoader.Load("/nonexistent/sentinel.yml", explicitlyGiven: true));
}

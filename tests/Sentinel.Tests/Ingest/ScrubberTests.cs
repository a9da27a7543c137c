using Sentinel.Ingest;
using Sentinel.Tests.Support;
using Sentinel.Text;

namespace Sentinel.Tests.Ingest;

public sealed class ScrubberTests
{
    [Theory]
    [InlineData("contact maria.garcia@iqb.example.edu now", "email")]
    [InlineData("proxy 10.112.4.17:3128", "ipv4")]
    [InlineData("host 2001:db8:4f2a:12::7", "ipv6")]
    [InlineData("/home/mgarcia/data/md/prod_run2.xtc", "home_path")]
    [InlineData("/Users/kwame.mensah/notebooks/units_check.ipynb", "home_path")]
    [InlineData(@"C:\Users\ana.lopez\Documents\x.ipynb", "windows_path")]
    [InlineData(@"\\fileserver\share\data", "unc_path")]
    [InlineData("/opt/conda/envs/x/lib", "unix_path")]
    [InlineData("ghp_Q0vTwodAIfNq5es81FGOwr4ot8QWOwvZixGj", "github_token")]
    [InlineData("sk-gylm0YN9X1N3wW5gSXbgEIgDeNhN95keFBAlzioufXUwQwv5", "openai_key")]
    [InlineData("AKIA3WKXZUGUZVBFWHCQ", "aws_access_key")]
    [InlineData("oprOeuiVprIYvN1+LJg8w/FYazf9IYK++zS9GTfF", "aws_secret_key")]
    [InlineData("xoxb-1234567890-abcdefghij", "slack_token")]
    [InlineData("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJ1c3JfMzQ2NDE.abc", "jwt")]
    [InlineData("password=Tr0mbone58_pelicano", "secret_pair")]
    [InlineData("token: abcdef123", "secret_pair")]
    public void Check_FlagsPersonalDataAndCredentials(string value, string reason) =>
        Assert.Equal(reason, Scrubber.Check(value));

    [Theory]
    [InlineData("MSM-ERR-IO-002")]
    [InlineData("molsysmt.structure.get_rmsd.kernel")]
    [InlineData("FileNotFoundInputError")]
    [InlineData("1.0.0rc1")]
    [InlineData("Input file not found")]
    [InlineData("Check the path and the working directory. Docs: https://www.uibcdf.org/MolSysMT")]
    [InlineData("Install it in the active environment with: pip install {library}")]
    [InlineData("Pass token={token} to the client")]
    [InlineData("Units in m/s and I/O errors")]
    [InlineData("SMONITOR-WARNING-COALESCED")]
    public void Check_LeavesCodesSourcesAndTemplatesAlone(string value) =>
        Assert.Null(Scrubber.Check(value));

    [Fact]
    public void Check_CatchesEveryPlantedSecretOfTheCorpus()
    {
        // Bare hostnames and bare passwords have no recognisable shape (a password is caught as a
        // password=... pair); they never reach a kept field, which Lake_HoldsNoPlantedSecret checks.
        var planted = Corpus.Bundles.SelectMany(b => b.GetProperty("planted_pii").EnumerateArray())
            .Where(p => p.GetProperty("kind").GetString() is not ("hostname" or "password"))
            .Select(p => p.GetProperty("value").GetString()!).Distinct().ToList();
        Assert.NotEmpty(planted);
        Assert.All(planted, v => Assert.NotNull(Scrubber.Check(v)));
    }
}

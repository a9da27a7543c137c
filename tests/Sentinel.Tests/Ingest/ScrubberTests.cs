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
    // Issue 15's shapes, each a fresh format-valid fake.
    [InlineData("BOMB-sk_live_9Hq2LyjWDa7rjtT1zdp7dcQx", "known_token")]
    [InlineData("npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", "known_token")]
    [InlineData("hf_QxVbTrLmNpKsWdYzHgFjCeRaUoIiEnBtMlk", "known_token")]
    [InlineData("tg.5867392014:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsawq", "known_token")]
    [InlineData("DB_PASSWORD:hunter2hunter2", "secret_pair")]
    [InlineData("sv=2021-06-08&ss=b&sp=rl&sig=AbC%2Bdef123XyZ456uVw789", "secret_pair")]
    [InlineData("a8F3kLq9ZmX2vB7nR4tY6wE1sD5gH0jP", "secret_shaped")]
    [InlineData("failed to reach postgres://app:S3cretPw@db.internal:5432/prod", "url_credentials")]
    [InlineData("call +34 612 345 678 for access", "phone_number")]
    [InlineData("card 4111 1111 1111 1111 declined", "card_number")]
    [InlineData("interface 00:1A:2B:3C:4D:5E down", "mac_address")]
    [InlineData("write to josé.garcía@universidad.es", "email")]
    [InlineData(@"saved under Users\maria\proyectos\md", "home_path")]
    [InlineData("-----BEGIN PGP PRIVATE KEY BLOCK-----", "private_key")]
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
    [InlineData("ExecutableNotFoundError")]
    [InlineData("IncompatibleDimensionalityError")]
    [InlineData("PocketeerSasaBackendWarning")]
    [InlineData("molsysmt.form.mdtraj_Trajectory.to_molsysmt_Topology")]
    [InlineData("HTTPConnectionPoolTimeoutError")]
    [InlineData("00000000000000e1")]
    [InlineData("Version 0.10.1 needs numpy >= 1.26 and 2 GB of RAM")]
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

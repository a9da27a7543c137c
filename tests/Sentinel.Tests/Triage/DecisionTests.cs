using Sentinel.Storage;
using Sentinel.Tests.Aggregate;
using Sentinel.Tests.Support;
using Sentinel.Triage;

namespace Sentinel.Tests.Triage;

/// <summary>A decision is approve or reject; a typo is an error, never a silent rejection.</summary>
public sealed class DecisionTests(AggregatedCorpusFixture fixture) : IClassFixture<AggregatedCorpusFixture>
{
    [Theory]
    [InlineData("aprove")]
    [InlineData("Approve")]
    [InlineData("")]
    public async Task An_unknown_action_is_refused_and_the_proposal_stays_pending(string action)
    {
        await Triager.RunAsync(TestLake.At(fixture.Lake), "molsysmt", null, CancellationToken.None);
        var pending = new ProposalStore(TestLake.At(fixture.Lake)).Load().First(p => p.Library == "molsysmt" && p.Status == ProposalStatus.Pending);

        var e = Assert.Throws<TriageException>(() => Triager.Decide(TestLake.At(fixture.Lake), pending.Id, action, "maintainer-a", null));

        Assert.Contains("unknown decision", e.Message, StringComparison.Ordinal);
        var after = new ProposalStore(TestLake.At(fixture.Lake)).Load().Single(p => p.Id == pending.Id);
        Assert.Equal(ProposalStatus.Pending, after.Status);
        Assert.Empty(after.Decisions);
    }

    [Fact]
    public async Task Approve_and_reject_are_recorded_as_such()
    {
        await Triager.RunAsync(TestLake.At(fixture.Lake), "topomt", null, CancellationToken.None);
        var two = new ProposalStore(TestLake.At(fixture.Lake)).Load().Where(p => p.Library == "topomt" && p.Status == ProposalStatus.Pending).Take(2).ToList();
        Assert.Equal(2, two.Count);

        Assert.Equal(ProposalStatus.Approved, Triager.Decide(TestLake.At(fixture.Lake), two[0].Id, "approve", "m", null).Status);
        var rejected = Triager.Decide(TestLake.At(fixture.Lake), two[1].Id, DecisionAction.Reject, "m", null);
        Assert.Equal(ProposalStatus.Rejected, rejected.Status);
        Assert.Equal(DecisionAction.Reject, rejected.Decisions.Single().Action);
    }

    [Fact]
    public async Task A_note_that_looks_like_a_credential_is_refused_and_nothing_is_recorded()
    {
        await Triager.RunAsync(TestLake.At(fixture.Lake), "molsysmt", null, CancellationToken.None);
        var pending = new ProposalStore(TestLake.At(fixture.Lake)).Load().First(p => p.Library == "molsysmt" && p.Status == ProposalStatus.Pending);

        var e = Assert.Throws<TriageException>(() =>
            Triager.Decide(TestLake.At(fixture.Lake), pending.Id, DecisionAction.Approve, "m", "ask maria: postgres://app:S3cretPw@db.internal/prod"));

        Assert.Contains("url_credentials", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("S3cretPw", e.Message, StringComparison.Ordinal);
        var after = new ProposalStore(TestLake.At(fixture.Lake)).Load().Single(p => p.Id == pending.Id);
        Assert.Equal(ProposalStatus.Pending, after.Status);
        Assert.Empty(after.Decisions);
        Assert.DoesNotContain("S3cretPw", File.ReadAllText(Path.Combine(fixture.Lake, "state", "triage", "proposals.json")), StringComparison.Ordinal);
    }
}

using Sentinel.Aggregate;
using Sentinel.Tests.Support;

namespace Sentinel.Tests.Dashboard;

/// <summary>
/// Issue 16, "numbers that mislead": nothing published ends a finding with "?", and smonitor's own codes read as
/// instrumentation, not as library regressions, on the site and in the report alike.
/// </summary>
public sealed class PublishedWordingTests(DashboardFixture fixture) : IClassFixture<DashboardFixture>
{
    [Fact]
    public void A_suspected_finding_says_so_in_words_never_with_a_question_mark()
    {
        var pages = fixture.Pages(fixture.Site).Concat(fixture.Pages(fixture.PublicSite)).Select(File.ReadAllText).ToList();

        Assert.Contains(pages, html => html.Contains("(suspected)</span>", StringComparison.Ordinal));
        Assert.DoesNotContain(pages, html => html.Contains("?</span>", StringComparison.Ordinal));
        var report = MarkdownReport.Render(HealthReport.Build(TestLake.At(fixture.Lake), library: null, top: 1000));
        Assert.Matches(@"(new|fixed) in [^ |]+ (\(|&#40;)suspected", report); // table cells are inert: "(" may be an entity
        Assert.DoesNotMatch(@"(new|fixed) in [^ |]+\?", report);
    }

    [Fact]
    public void Smonitors_own_codes_read_as_instrumentation_on_the_site_and_in_the_report()
    {
        var molsysmt = File.ReadAllText(Path.Combine(fixture.Site, "libraries", "molsysmt.html"));
        var s = Summaries.Load(TestLake.At(fixture.Lake));
        var instrumentation = s.Regressions.Where(r => r.Library == "molsysmt" && RegressionScope.IsInstrumentation(r.Code)).ToList();
        Assert.NotEmpty(instrumentation);

        Assert.Contains("instrumentation (new in version)", molsysmt, StringComparison.Ordinal);
        var report = MarkdownReport.Render(HealthReport.Build(TestLake.At(fixture.Lake), library: "molsysmt", top: 50));
        Assert.Equal(instrumentation.Count, report.Split('\n').Count(l => l.Contains("| instrumentation (", StringComparison.Ordinal)));
        // and they are not library regressions in any count
        var library = s.Libraries.Single(l => l.Library == "molsysmt");
        Assert.Equal(s.Regressions.Count(r => r.Library == "molsysmt" && r.Status == RegressionStatus.Confirmed && RegressionScope.IsLibraryRegression(r)), library.ConfirmedRegressions);
    }
}

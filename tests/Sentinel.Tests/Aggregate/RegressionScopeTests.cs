using Sentinel.Aggregate;
using Sentinel.Tests.Support;
using Sentinel.Text;

namespace Sentinel.Tests.Aggregate;

/// <summary>One definition of "confirmed regressions" everywhere, and p-values that never read as certainty.</summary>
public sealed class RegressionScopeTests(AggregatedCorpusFixture fixture) : IClassFixture<AggregatedCorpusFixture>
{
    [Theory]
    [InlineData(0.0183, "p=0.0183")]
    [InlineData(0.05, "p=0.05")]
    [InlineData(0.0001, "p=0.0001")]
    [InlineData(0.00004, "p<0.0001")]
    [InlineData(0.0, "p<0.0001")]
    public void P_values_below_the_fourth_decimal_print_as_less_than(double p, string expected) => Assert.Equal(expected, PValueText.Of(p));

    [Theory]
    [InlineData(RegressionKind.NewInVersion, "MSM-ERR-MEM-001", true)]
    [InlineData(RegressionKind.Performance, null, true)]
    [InlineData(RegressionKind.FixedInVersion, "MSM-ERR-ARG-001", false)]
    [InlineData(RegressionKind.NewInVersion, "SMONITOR-EVENT-DUPLICATE-SUMMARY", false)]
    public void A_library_regression_is_new_or_slower_code_of_the_library(RegressionKind kind, string? code, bool expected) =>
        Assert.Equal(expected, RegressionScope.IsLibraryRegression(kind, code));

    [Fact]
    public void Summaries_report_and_dashboard_count_confirmed_regressions_the_same_way()
    {
        var s = fixture.Summaries;
        foreach (var library in s.Libraries)
        {
            var expected = s.Regressions.Count(r => r.Library == library.Library && r.Status == RegressionStatus.Confirmed && RegressionScope.IsLibraryRegression(r));
            Assert.Equal(expected, library.ConfirmedRegressions);
        }

        // The corpus has what used to be counted wrongly: a confirmed fix and a confirmed instrumentation code.
        Assert.Contains(s.Regressions, r => r.Status == RegressionStatus.Confirmed && r.Kind == RegressionKind.FixedInVersion);
        Assert.Contains(s.Regressions, r => r.Status == RegressionStatus.Confirmed && RegressionScope.IsInstrumentation(r.Code));
        Assert.Equal(s.Libraries.Sum(l => l.ConfirmedRegressions), fixture.Second.ConfirmedRegressions);

        var site = Sentinel.Dashboard.DashboardBuilder.Build(new Sentinel.Dashboard.DashboardOptions(
            TestLake.At(fixture.Lake), Path.Combine(fixture.Lake, "..", "site"), Sentinel.Dashboard.SiteModelBuilder.Maintainers, AggregatedCorpusFixture.Config));
        Assert.True(site.Pages > 0);
        using var index = System.Text.Json.JsonDocument.Parse(File.ReadAllBytes(Path.Combine(fixture.Lake, "..", "site", "data", "index.json")));
        foreach (var card in index.RootElement.GetProperty("libraries").EnumerateArray())
        {
            var library = s.Libraries.Single(l => l.Library == card.GetProperty("library").GetString());
            Assert.Equal(library.ConfirmedRegressions, card.GetProperty("confirmed_regressions").GetInt64());
        }

        Assert.DoesNotContain(s.Regressions, r => r.Reason.Contains("p=0)", StringComparison.Ordinal) || r.Reason.Contains("p=0 ", StringComparison.Ordinal));
    }
}

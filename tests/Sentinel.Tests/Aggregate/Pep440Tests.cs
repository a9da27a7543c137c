using Sentinel.Aggregate;

namespace Sentinel.Tests.Aggregate;

public sealed class Pep440Tests
{
    private static readonly Pep440Comparer Comparer = Pep440Comparer.Instance;

    // Varied on purpose: equal versions spelled differently, every segment kind, invalid strings,
    // the placeholder and null. Used by the order-property checks.
    private static readonly string?[] Varied =
    [
        "1.0", "1.0.0", "v1.0", "1.0.dev0", "1.0a1.dev0", "1.0a1", "1.0alpha1", "1.0b1", "1.0rc1", "1.0c1",
        "1.0.post1.dev0", "1.0.post1", "1.0-1", "1.0+abc", "1.0+ABC", "1.0+1", "1.0.1", "0.10.0", "0.9.0",
        "1!0.1", "99999999999999999999999.0", "not-a-version", "1.0.", "unknown", "Unknown", null, "",
    ];

    [Fact]
    public void The_issue_case_sorts_numerically_with_unknown_last()
    {
        string[] input = ["1.0.0", "unknown", "0.10.1", "1.0.0rc1", "0.9.0", "0.10.0"];

        var sorted = Pep440Comparer.Sort(input);

        Assert.Equal(["0.9.0", "0.10.0", "0.10.1", "1.0.0rc1", "1.0.0", "unknown"], sorted);
    }

    [Fact]
    public void The_pep_440_example_chain_is_strictly_increasing()
    {
        AssertStrictlyIncreasing(
            "1.0.dev0", "1.0a1.dev0", "1.0a1", "1.0b1", "1.0rc1", "1.0", "1.0.post1.dev0", "1.0.post1", "1.0.1");
    }

    [Theory]
    [InlineData("1.0a1", "1.0a2")]
    [InlineData("1.0a2", "1.0a10")]
    [InlineData("1.0a10", "1.0b1")]
    [InlineData("1.0b2", "1.0rc1")]
    [InlineData("1.0rc1", "1.0")]
    [InlineData("1.0rc1", "1.0.0")]
    [InlineData("1.0a", "1.0a1")]
    [InlineData("0.9", "1.0a1")]
    public void Pre_releases_sort_before_the_final_release(string lower, string higher) =>
        AssertLess(lower, higher);

    [Theory]
    [InlineData("1.0alpha1", "1.0a1")]
    [InlineData("1.0beta2", "1.0b2")]
    [InlineData("1.0c1", "1.0rc1")]
    [InlineData("1.0pre1", "1.0rc1")]
    [InlineData("1.0preview1", "1.0rc1")]
    [InlineData("1.0-a-1", "1.0a1")]
    [InlineData("1.0.RC.1", "1.0rc1")]
    [InlineData("1.0a", "1.0a0")]
    [InlineData("V1.0", "1.0")]
    [InlineData("1.0-1", "1.0.post1")]
    [InlineData("1.0rev1", "1.0.post1")]
    [InlineData("1.0r1", "1.0.post1")]
    [InlineData("1.0.post", "1.0.post0")]
    [InlineData("1.0-dev", "1.0.dev0")]
    [InlineData("1.0.DEV_3", "1.0.dev3")]
    [InlineData("1.01", "1.1")]
    [InlineData("0!1.0", "1.0")]
    [InlineData(" 1.0\t", "1.0")]
    public void Alternative_spellings_parse_to_the_same_version(string spelling, string canonical)
    {
        Assert.True(Pep440Version.TryParse(spelling, out var a));
        Assert.True(Pep440Version.TryParse(canonical, out var b));
        Assert.Equal(b, a);
        Assert.Equal(b.GetHashCode(), a.GetHashCode());
        Assert.Equal(canonical, a.Normalized);
    }

    [Theory]
    [InlineData("1.0", "1.0.post0")]
    [InlineData("1.0.post1", "1.0.post2")]
    [InlineData("1.0.post2", "1.0.post10")]
    [InlineData("1.0.post1.dev5", "1.0.post1")]
    [InlineData("1.0.post1", "1.0.1")]
    [InlineData("1.0.post1", "1.0.1a1")]
    [InlineData("1.0rc1", "1.0rc1.post1")]
    [InlineData("1.0rc1.post1", "1.0rc2.dev0")]
    public void Post_releases_sort_after_their_release_and_before_the_next(string lower, string higher) =>
        AssertLess(lower, higher);

    [Theory]
    [InlineData("1.0.dev1", "1.0.dev2")]
    [InlineData("1.0.dev2", "1.0.dev10")]
    [InlineData("1.0.dev99", "1.0a0")]
    [InlineData("1.0a1.dev1", "1.0a1")]
    [InlineData("1.0rc1.dev3", "1.0rc1")]
    [InlineData("0.9.9", "1.0.dev0")]
    public void Dev_releases_sort_before_the_release_they_lead_to(string lower, string higher) =>
        AssertLess(lower, higher);

    [Theory]
    [InlineData("2024.1", "1!0.1")]
    [InlineData("1!1.0", "2!0.0.1")]
    [InlineData("99999.0", "1!0.dev0")]
    [InlineData("1!1.0", "1!1.0.1")]
    public void Epochs_take_precedence_over_the_release(string lower, string higher) =>
        AssertLess(lower, higher);

    [Theory]
    [InlineData("1.0", "1.0+abc")]
    [InlineData("1.0+abc", "1.0.post1")]
    [InlineData("1.0+abc", "1.0+abc.1")]
    [InlineData("1.0+abc", "1.0+abd")]
    [InlineData("1.0+zzz", "1.0+1")]
    [InlineData("1.0+2", "1.0+10")]
    [InlineData("1.0+abc.2", "1.0+abc.10")]
    [InlineData("1.0a1+local", "1.0a2")]
    public void Local_versions_sort_after_the_same_public_version(string lower, string higher) =>
        AssertLess(lower, higher);

    [Fact]
    public void Local_labels_are_normalized_to_lowercase_dotted_segments()
    {
        Assert.True(Pep440Version.TryParse("v1.0-ALPHA.1-2.DEV-3+Ubuntu-007_x", out var version));

        Assert.Equal("1.0a1.post2.dev3+ubuntu.7.x", version.Normalized);
        Assert.Equal("1.0a1.post2.dev3", version.PublicVersion);
        Assert.Equal("ubuntu.7.x", version.Local);
        Assert.Equal(version.Normalized, version.ToString());
    }

    [Fact]
    public void Equal_versions_spelled_differently_are_ordered_ordinally()
    {
        Assert.True(Pep440Version.TryParse("1.0", out var a));
        Assert.True(Pep440Version.TryParse("1.0.0", out var b));
        Assert.Equal(a, b);
        Assert.Equal(0, a.CompareTo(b));

        Assert.True(Comparer.Compare("1.0", "1.0.0") < 0);
        Assert.True(Comparer.Compare("1.0.0", "1.0") > 0);
        Assert.True(Comparer.Compare("1.0+ABC", "1.0+abc") < 0);
        Assert.Equal(0, Comparer.Compare("1.0", "1.0"));
        Assert.Equal(["1.0", "1.0.0", "1.0.0.0"], Pep440Comparer.Sort(["1.0.0.0", "1.0", "1.0.0"]));
    }

    [Fact]
    public void Huge_release_numbers_compare_without_overflow()
    {
        AssertStrictlyIncreasing(
            "1.9223372036854775807",
            "1.9223372036854775808",
            "1.99999999999999999999999999999999",
            "1.100000000000000000000000000000000",
            "18446744073709551616!0");
        Assert.True(Pep440Version.TryParse("1.000000000000000000000000000000000000002", out var v));
        Assert.Equal("1.2", v.Normalized);
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("abc")]
    [InlineData("latest")]
    [InlineData("Unknown")]
    [InlineData("v")]
    [InlineData("1.0.")]
    [InlineData("1..0")]
    [InlineData(".1.0")]
    [InlineData("1.0-")]
    [InlineData("1.0+")]
    [InlineData("1.0+abc..1")]
    [InlineData("1.0+abc.")]
    [InlineData("1.0+ab c")]
    [InlineData("1.0a1a1")]
    [InlineData("1.0.post1a1")]
    [InlineData("1.0.dev1.post1")]
    [InlineData("1.0 beta")]
    [InlineData("1!")]
    [InlineData("1!2!3")]
    [InlineData("1.0.poſt1")]
    [InlineData("1.0prevıew1")]
    [InlineData("１.0")]
    [InlineData("vv1.0")]
    public void Strings_that_are_not_pep_440_do_not_parse(string text)
    {
        Assert.False(Pep440Version.TryParse(text, out var version));
        Assert.Null(version);
        Assert.False(Pep440Comparer.TryParse(text, out _));
    }

    [Fact]
    public void Invalid_strings_sort_after_versions_and_before_unknown_and_null()
    {
        string?[] input = [null, "unknown", "zzz", "99!99", "abc", "0.1", "Unknown"];

        var sorted = Pep440Comparer.Sort(input!);

        string?[] expected = ["0.1", "99!99", "Unknown", "abc", "zzz", "unknown", null];
        Assert.Equal<string?>(expected, sorted);
        Assert.True(Comparer.Compare(null, "unknown") > 0);
        Assert.True(Comparer.Compare("unknown", null) < 0);
        Assert.Equal(0, Comparer.Compare(null, null));
    }

    [Theory]
    [InlineData("1.0a1", true)]
    [InlineData("1.0b2", true)]
    [InlineData("1.0rc1", true)]
    [InlineData("1.0.dev0", true)]
    [InlineData("1.0.post1.dev0", true)]
    [InlineData("1.0", false)]
    [InlineData("1.0.post1", false)]
    [InlineData("1.0+local.1", false)]
    [InlineData("1!2.0", false)]
    public void Pre_release_flag_covers_alpha_beta_rc_and_dev(string text, bool expected)
    {
        Assert.True(Pep440Version.TryParse(text, out var version));
        Assert.Equal(expected, version.IsPreRelease);
    }

    [Fact]
    public void Post_and_dev_flags_reflect_their_segments()
    {
        Assert.True(Pep440Version.TryParse("1.0.post1.dev2", out var version));
        Assert.True(version.IsPostRelease);
        Assert.True(version.IsDevRelease);
        Assert.True(Pep440Version.TryParse("1.0", out var final));
        Assert.False(final.IsPostRelease);
        Assert.False(final.IsDevRelease);
        Assert.Null(final.Local);
    }

    [Fact]
    public void Sorting_a_shuffled_list_gives_the_expected_order()
    {
        string[] expected =
        [
            "0.9.0", "0.10.0", "0.10.1", "1.0.dev0", "1.0a1.dev0", "1.0a1", "1.0b1", "1.0rc1", "1.0", "1.0.0",
            "1.0+abc", "1.0+abc.1", "1.0+1", "1.0.post1.dev0", "1.0-1", "1.0.post1", "1.0.1", "2.0", "1!0.1",
            "nightly", "not-a-version", "unknown",
        ];
        var random = new Random(440);

        for (var round = 0; round < 20; round++)
        {
            var shuffled = expected.ToArray();
            random.Shuffle(shuffled);

            Assert.Equal(expected, Pep440Comparer.Sort(shuffled));
            var viaComparer = shuffled.ToList();
            viaComparer.Sort(Comparer);
            Assert.Equal(expected, viaComparer);
        }
    }

    [Fact]
    public void The_comparer_is_zero_only_for_identical_strings_and_antisymmetric()
    {
        foreach (var a in Varied)
        {
            foreach (var b in Varied)
            {
                var ab = Math.Sign(Comparer.Compare(a, b));
                var ba = Math.Sign(Comparer.Compare(b, a));
                Assert.True(ab == -ba, $"antisymmetry: '{a}' vs '{b}' gave {ab} and {ba}");
                Assert.Equal(string.Equals(a, b, StringComparison.Ordinal), ab == 0);
            }
        }
    }

    [Fact]
    public void The_comparer_is_transitive_over_all_triples()
    {
        foreach (var a in Varied)
        {
            foreach (var b in Varied)
            {
                foreach (var c in Varied)
                {
                    if (Comparer.Compare(a, b) <= 0 && Comparer.Compare(b, c) <= 0)
                    {
                        Assert.True(Comparer.Compare(a, c) <= 0, $"transitivity: '{a}' <= '{b}' <= '{c}'");
                    }
                }
            }
        }
    }

    [Fact]
    public void Version_operators_follow_pep_440_order()
    {
        Assert.True(Pep440Version.TryParse("1.0rc1", out var rc));
        Assert.True(Pep440Version.TryParse("1.0", out var final));
        Assert.True(Pep440Version.TryParse("1.0.0", out var padded));

        Assert.True(rc < final);
        Assert.True(final > rc);
        Assert.True(final <= padded && final >= padded);
        Assert.True(final == padded);
        Assert.True(rc != final);
    }

    private static void AssertLess(string lower, string higher)
    {
        Assert.True(Pep440Version.TryParse(lower, out var a), $"'{lower}' should parse");
        Assert.True(Pep440Version.TryParse(higher, out var b), $"'{higher}' should parse");
        Assert.True(a.CompareTo(b) < 0, $"'{lower}' < '{higher}'");
        Assert.True(b.CompareTo(a) > 0, $"'{higher}' > '{lower}'");
        Assert.True(Comparer.Compare(lower, higher) < 0, $"comparer: '{lower}' < '{higher}'");
        Assert.True(Comparer.Compare(higher, lower) > 0, $"comparer: '{higher}' > '{lower}'");
    }

    private static void AssertStrictlyIncreasing(params string[] versions)
    {
        for (var i = 0; i < versions.Length; i++)
        {
            for (var j = i + 1; j < versions.Length; j++)
            {
                AssertLess(versions[i], versions[j]);
            }
        }
    }
}

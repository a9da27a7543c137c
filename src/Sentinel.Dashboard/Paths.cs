using System.Text;

namespace Sentinel.Dashboard;

/// <summary>Where each page and its data live in the site (relative to the site root, '/'-separated).</summary>
public static class Paths
{
    public const string Home = "index.html";

    public static string Library(string library) => $"libraries/{Slug(library)}.html";

    /// <summary>A library's full problem list, beside the folder of its problem pages.</summary>
    public static string ProblemList(string library) => $"problems/{Slug(library)}.html";

    public static string Problem(string library, string? code, string problemKey) => $"problems/{Slug(library)}/{ProblemId(code, problemKey)}.html";

    /// <summary>
    /// A file-safe id, stable as data arrives: the code (one problem per code and library), or for an uncoded problem
    /// "uncoded-" and its key (exception type @ source function). <see cref="Slug"/> is injective, so ids are unique.
    /// </summary>
    public static string ProblemId(string? code, string problemKey) => code is not null ? Slug(code) : $"uncoded-{Slug(problemKey)}";

    /// <summary>The page's data file: <c>libraries/x.html</c> → <c>data/libraries/x.json</c>.</summary>
    public static string DataOf(string page) => "data/" + page[..^".html".Length] + ".json";

    /// <summary>The page's chart script: <c>libraries/x.html</c> → <c>charts/libraries/x.js</c>.</summary>
    public static string ChartsOf(string page) => "charts/" + page[..^".html".Length] + ".js";

    /// <summary>The way from a page back to the site root (<c>""</c>, <c>"../"</c>, <c>"../../"</c>).</summary>
    public static string Root(string page) => string.Concat(Enumerable.Repeat("../", page.Count(c => c == '/')));

    /// <summary>Letters, digits, '.', '_' and '-' kept; anything else becomes '~' + its hex code (no collisions).</summary>
    public static string Slug(string value)
    {
        var sb = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')
            {
                sb.Append(c);
            }
            else
            {
                sb.Append('~').Append(((int)c).ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }
        }

        return sb.Length == 0 || sb[0] == '.' ? "~" + sb : sb.ToString();
    }
}

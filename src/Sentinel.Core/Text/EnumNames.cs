using System.Reflection;
using System.Text.Json.Serialization;

namespace Sentinel.Text;

/// <summary>
/// The one name of each value of a domain-state enum: its <see cref="JsonStringEnumMemberNameAttribute"/>, the name
/// it has in every JSON file, in text output and in the lake (e.g. <c>insufficient data</c>). Each such enum carries
/// <c>[JsonConverter(typeof(JsonStringEnumConverter&lt;T&gt;))]</c>, so serialization uses the same names.
/// </summary>
public static class EnumNames
{
    /// <summary>The value's name (its JSON name).</summary>
    public static string Name<T>(this T value)
        where T : struct, Enum =>
        Names<T>.ByValue.TryGetValue(value, out var name) ? name : throw new ArgumentOutOfRangeException(nameof(value), value, $"not a {typeof(T).Name}");

    /// <summary>Every name of <typeparamref name="T"/>, in declaration order (for <c>--status</c>-style options).</summary>
    public static IReadOnlyList<string> All<T>()
        where T : struct, Enum => Names<T>.InOrder;

    /// <summary>The value named <paramref name="name"/> (exactly; names are case-sensitive), if any.</summary>
    public static bool TryParse<T>(string? name, out T value)
        where T : struct, Enum => Names<T>.ByName.TryGetValue(name ?? "", out value);

    private static class Names<T>
        where T : struct, Enum
    {
        public static readonly Dictionary<T, string> ByValue = Enum.GetValues<T>().ToDictionary(v => v, NameOf);
        public static readonly Dictionary<string, T> ByName = ByValue.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
        public static readonly IReadOnlyList<string> InOrder = [.. Enum.GetValues<T>().Select(v => ByValue[v])];

        private static string NameOf(T value) =>
            typeof(T).GetField(value.ToString(), BindingFlags.Public | BindingFlags.Static)?.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name
            ?? throw new InvalidOperationException($"{typeof(T).Name}.{value} has no [JsonStringEnumMemberName]");
    }
}

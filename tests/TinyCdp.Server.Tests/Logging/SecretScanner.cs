using System.Text.RegularExpressions;

namespace TinyCdp.Server.Tests.Logging;

/// <summary>
/// Finds what must never be logged: an API key (any <c>tcdp_</c> secret longer than the prefix, and
/// the tests' configured admin key) and a raw email address (also with its <c>@</c> percent-encoded,
/// as it appears in a URL).
/// </summary>
public static partial class SecretScanner
{
    public static IEnumerable<string> Find(string text)
    {
        if (text.Contains(ServerFactoryBase.AdminKey, StringComparison.Ordinal))
        {
            yield return "the test admin key";
        }

        foreach (Match key in KeyPattern().Matches(text))
        {
            yield return $"an API key ({Abbreviate(key.Value)})";
        }

        foreach (Match email in EmailPattern().Matches(text))
        {
            yield return $"an email address ({Abbreviate(email.Value)})";
        }
    }

    /// <summary>The text with every finding replaced by <c>[redacted]</c>, to show where a leak was.</summary>
    public static string Mask(string text)
    {
        text = text.Replace(ServerFactoryBase.AdminKey, "[redacted]", StringComparison.Ordinal);
        text = KeyPattern().Replace(text, "[redacted]");
        return EmailPattern().Replace(text, "[redacted]");
    }

    // Shows enough to find the leak, not the secret itself.
    private static string Abbreviate(string value) => value.Length <= 8 ? value : value[..8] + "…";

    [GeneratedRegex(@"tcdp_[A-Za-z0-9_\-]+", RegexOptions.CultureInvariant)]
    private static partial Regex KeyPattern();

    [GeneratedRegex(@"[A-Za-z0-9._%+\-]+(?:@|%40)[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex EmailPattern();
}

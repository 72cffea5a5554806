using System.Collections.Frozen;
using System.Security.Cryptography;
using System.Text;
using TinyCdp.Identity;

namespace TinyCdp.Ingestion;

/// <summary>
/// Which identifier values count (SEMANTICS.md §2) and which identifiers a message carries.
/// </summary>
/// <remarks>
/// Placeholder values are dropped because one shared value (every logged-out user sending
/// <c>userId: "null"</c>) would merge thousands of unrelated people into one profile. A value is
/// unusable when it is null, empty or white space, or when, trimmed and compared ignoring case,
/// it is one of <c>null</c>, <c>undefined</c>, <c>0</c>, <c>anonymous</c> (the list in
/// SEMANTICS.md), <c>none</c>, <c>nil</c> (how Python and Ruby/Go print a missing value),
/// <c>unknown</c> (a common placeholder; no real application names a user that) or
/// <c>00000000-0000-0000-0000-000000000000</c> (the all-zero UUID, which iOS returns as the
/// advertising id when tracking is limited). Usable values are kept exactly as sent: they are not
/// trimmed or case-folded.
/// </remarks>
internal static class IdentifierRules
{
    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> Placeholders =
        new[] { "null", "undefined", "0", "anonymous", "none", "nil", "unknown", "00000000-0000-0000-0000-000000000000" }
            .ToFrozenSet(StringComparer.OrdinalIgnoreCase)
            .GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>True when <paramref name="value"/> may identify someone (see the remarks on <see cref="IdentifierRules"/>).</summary>
    public static bool IsUsable(string? value)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            return false;
        }

        var trimmed = value.AsSpan().Trim();
        return !Placeholders.Contains(trimmed);
    }

    /// <summary>
    /// The email identifier's value: lower-case hex SHA-256 of the UTF-8 bytes of the address
    /// trimmed of white space and lower-cased with the invariant culture (the seed's <c>emailHash</c>).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="email"/> is null.</exception>
    public static string EmailHash(string email)
    {
        ArgumentNullException.ThrowIfNull(email);
        var normalized = email.Trim().ToLowerInvariant();
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(normalized)));
    }

    /// <summary>
    /// True when <paramref name="email"/> is used as an identifier: a usable value whose trimmed
    /// form has an <c>@</c> with something before and after it. Anything else (<c>"n/a"</c>,
    /// <c>"-"</c>) would hash to one value shared by unrelated people, so it is not an identifier
    /// (the profile property <c>email</c> still keeps whatever identify sent).
    /// </summary>
    public static bool IsUsableEmail(string? email)
    {
        if (!IsUsable(email))
        {
            return false;
        }

        var trimmed = email.AsSpan().Trim();
        var at = trimmed.IndexOf('@');
        return at > 0 && at < trimmed.Length - 1;
    }

    /// <summary>
    /// The usable identifiers <paramref name="message"/> carries, highest priority first:
    /// <see cref="IdentifierKind.UserId"/>, <see cref="IdentifierKind.AnonymousId"/>, then for
    /// identify a string <c>traits.email</c> (<see cref="IsUsableEmail"/>) as
    /// <see cref="IdentifierKind.EmailHash"/>. For alias only the <c>userId</c>: the engine matches
    /// <c>previousId</c> through <see cref="AliasTargets"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    public static IReadOnlyList<Identifier> Extract(CdpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var identifiers = new List<Identifier>(3);
        if (IsUsable(message.UserId))
        {
            identifiers.Add(new Identifier(IdentifierKind.UserId, message.UserId!));
        }

        if (message.Kind == MessageKind.Alias)
        {
            return identifiers;
        }

        if (IsUsable(message.AnonymousId))
        {
            identifiers.Add(new Identifier(IdentifierKind.AnonymousId, message.AnonymousId!));
        }

        if (message.Kind == MessageKind.Identify && message.Traits.Member("email").TryGetString(out var email) && IsUsableEmail(email))
        {
            identifiers.Add(new Identifier(IdentifierKind.EmailHash, EmailHash(email)));
        }

        return identifiers;
    }

    /// <summary>
    /// For alias: the identifiers <c>previousId</c> may match, <c>UserId(previousId)</c> and
    /// <c>AnonymousId(previousId)</c>; empty when the message is not an alias or its
    /// <c>previousId</c> is not usable.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    public static IReadOnlyList<Identifier> AliasTargets(CdpMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        return message.Kind == MessageKind.Alias && IsUsable(message.PreviousId)
            ? [new Identifier(IdentifierKind.UserId, message.PreviousId!), new Identifier(IdentifierKind.AnonymousId, message.PreviousId!)]
            : [];
    }
}

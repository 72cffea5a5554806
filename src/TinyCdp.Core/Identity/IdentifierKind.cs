namespace TinyCdp.Identity;

/// <summary>The kind of an identifier.</summary>
public enum IdentifierKind
{
    /// <summary>The application's user id (at most one per profile).</summary>
    UserId,

    /// <summary>A device or anonymous id.</summary>
    AnonymousId,

    /// <summary>Lower-case hex SHA-256 of the trimmed, lower-cased email address.</summary>
    EmailHash,
}

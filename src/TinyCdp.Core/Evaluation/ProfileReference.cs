using TinyCdp.Identity;

namespace TinyCdp.Evaluation;

/// <summary>
/// Names a person for a read: by user id, anonymous id, internal profile id, or any of them
/// (<see cref="Any"/>: tried as a user id, then an anonymous id, then a profile id).
/// </summary>
public readonly record struct ProfileReference
{
    private ProfileReference(string value, IdentifierKind? kind, Guid? profileId)
    {
        Text = value;
        Kind = kind;
        ProfileId = profileId;
    }

    /// <summary>The text the caller gave.</summary>
    public string Text { get; }

    /// <summary>The identifier kind, when the reference names one.</summary>
    public IdentifierKind? Kind { get; }

    /// <summary>The profile id, when the reference names one.</summary>
    public Guid? ProfileId { get; }

    /// <summary>By the application's user id.</summary>
    public static ProfileReference ByUserId(string userId) => new(userId, IdentifierKind.UserId, null);

    /// <summary>By an anonymous (device) id.</summary>
    public static ProfileReference ByAnonymousId(string anonymousId) => new(anonymousId, IdentifierKind.AnonymousId, null);

    /// <summary>By the internal profile id.</summary>
    public static ProfileReference ByProfileId(Guid profileId) => new(profileId.ToString(), null, profileId);

    /// <summary>A user id, an anonymous id or a profile id, tried in that order.</summary>
    public static ProfileReference Any(string value) => new(value, null, Guid.TryParse(value, out var id) ? id : null);

    /// <inheritdoc />
    public override string ToString() => Text;
}

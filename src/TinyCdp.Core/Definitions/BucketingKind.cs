namespace TinyCdp.Definitions;

/// <summary>What a flag's splits hash to place a user in a bucket.</summary>
public enum BucketingKind
{
    /// <summary>The user id the caller asked with (the default); falls back to the profile id.</summary>
    UserId,

    /// <summary>The anonymous id the caller asked with; falls back to the profile id.</summary>
    AnonymousId,

    /// <summary>The internal profile id (stable across identifiers of one person).</summary>
    ProfileId,

    /// <summary>A profile property, named by <see cref="FlagDefinition.BucketingProperty"/>; falls back to the profile id.</summary>
    ProfileProperty,
}

using System.Globalization;
using TinyCdp.Definitions;
using TinyCdp.Evaluation;
using TinyCdp.Identity;
using TinyCdp.Ingestion;
using TinyCdp.Keys;

namespace TinyCdp.Storage;

/// <summary>
/// The integer codes a store persists for the contract's enums, shared by every store so that their
/// databases agree. They are spelled out here instead of relying on the enums' declaration order,
/// and must never change: a new member gets a new code.
/// </summary>
public static class StoredCodes
{
    /// <summary>The code of a message kind.</summary>
    public static short Code(MessageKind kind) => kind switch
    {
        MessageKind.Track => 0,
        MessageKind.Identify => 1,
        MessageKind.Alias => 2,
        MessageKind.Page => 3,
        MessageKind.Screen => 4,
        MessageKind.Group => 5,
        _ => throw Unknown(kind),
    };

    /// <summary>The message kind of a stored code.</summary>
    /// <exception cref="TinyCdpException">The code is not one this version knows (<see cref="TinyCdpErrorCode.StoreUnavailable"/>).</exception>
    public static MessageKind ToMessageKind(long code) => code switch
    {
        0 => MessageKind.Track,
        1 => MessageKind.Identify,
        2 => MessageKind.Alias,
        3 => MessageKind.Page,
        4 => MessageKind.Screen,
        5 => MessageKind.Group,
        _ => throw Unknown(code, nameof(MessageKind)),
    };

    /// <summary>The code of an identifier kind.</summary>
    public static short Code(IdentifierKind kind) => kind switch
    {
        IdentifierKind.UserId => 0,
        IdentifierKind.AnonymousId => 1,
        IdentifierKind.EmailHash => 2,
        _ => throw Unknown(kind),
    };

    /// <summary>The identifier kind of a stored code.</summary>
    /// <exception cref="TinyCdpException">The code is not one this version knows (<see cref="TinyCdpErrorCode.StoreUnavailable"/>).</exception>
    public static IdentifierKind ToIdentifierKind(long code) => code switch
    {
        0 => IdentifierKind.UserId,
        1 => IdentifierKind.AnonymousId,
        2 => IdentifierKind.EmailHash,
        _ => throw Unknown(code, nameof(IdentifierKind)),
    };

    /// <summary>The code of a membership change's cause.</summary>
    public static short Code(ChangeCause cause) => cause switch
    {
        ChangeCause.Event => 0,
        ChangeCause.Time => 1,
        ChangeCause.Definition => 2,
        ChangeCause.Merge => 3,
        ChangeCause.Delete => 4,
        _ => throw Unknown(cause),
    };

    /// <summary>The change cause of a stored code.</summary>
    /// <exception cref="TinyCdpException">The code is not one this version knows (<see cref="TinyCdpErrorCode.StoreUnavailable"/>).</exception>
    public static ChangeCause ToChangeCause(long code) => code switch
    {
        0 => ChangeCause.Event,
        1 => ChangeCause.Time,
        2 => ChangeCause.Definition,
        3 => ChangeCause.Merge,
        4 => ChangeCause.Delete,
        _ => throw Unknown(code, nameof(ChangeCause)),
    };

    /// <summary>The code of a definition kind.</summary>
    public static short Code(DefinitionKind kind) => kind switch
    {
        DefinitionKind.Trait => 0,
        DefinitionKind.Segment => 1,
        DefinitionKind.Flag => 2,
        _ => throw Unknown(kind),
    };

    /// <summary>The code of a definition kind, or null for none.</summary>
    public static short? Code(DefinitionKind? kind) => kind is { } value ? Code(value) : null;

    /// <summary>The definition kind of a stored code.</summary>
    /// <exception cref="TinyCdpException">The code is not one this version knows (<see cref="TinyCdpErrorCode.StoreUnavailable"/>).</exception>
    public static DefinitionKind ToDefinitionKind(long code) => code switch
    {
        0 => DefinitionKind.Trait,
        1 => DefinitionKind.Segment,
        2 => DefinitionKind.Flag,
        _ => throw Unknown(code, nameof(DefinitionKind)),
    };

    /// <summary>The code of an API key's tier.</summary>
    public static short Code(ApiKeyKind kind) => kind switch
    {
        ApiKeyKind.Read => 0,
        ApiKeyKind.Write => 1,
        ApiKeyKind.Admin => 2,
        _ => throw Unknown(kind),
    };

    /// <summary>The API key tier of a stored code.</summary>
    /// <exception cref="TinyCdpException">The code is not one this version knows (<see cref="TinyCdpErrorCode.StoreUnavailable"/>).</exception>
    public static ApiKeyKind ToApiKeyKind(long code) => code switch
    {
        0 => ApiKeyKind.Read,
        1 => ApiKeyKind.Write,
        2 => ApiKeyKind.Admin,
        _ => throw Unknown(code, nameof(ApiKeyKind)),
    };

    private static ArgumentOutOfRangeException Unknown<TEnum>(TEnum value)
        where TEnum : struct, Enum =>
        new(typeof(TEnum).Name, value, $"Unknown {typeof(TEnum).Name} value.");

    private static TinyCdpException Unknown(long code, string what) =>
        new(TinyCdpErrorCode.StoreUnavailable,
            string.Create(CultureInfo.InvariantCulture, $"The database holds the {what} code {code}, which this version of TinyCdp does not know."));
}

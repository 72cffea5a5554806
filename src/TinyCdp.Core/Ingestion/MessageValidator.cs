using System.Globalization;
using TinyCdp.Language;

namespace TinyCdp.Ingestion;

/// <summary>
/// Checks the rules of SEMANTICS.md §1 on a message from any source (HTTP or the in-process API).
/// <see cref="MessageReader"/> runs it on everything it reads.
/// </summary>
/// <remarks>
/// <para>The checks, in order (the first failure is reported):</para>
/// <list type="number">
/// <item><description><c>type</c> is one of the six kinds.</description></item>
/// <item><description><c>properties</c>, <c>traits</c> and <c>context</c> are objects or null, nested at most
/// <see cref="MessageLimits.MaxDepth"/> levels, and every string and key in them, like every string
/// field, is valid UTF-16 (no unpaired surrogate).</description></item>
/// <item><description>The size is at most <see cref="MessageLimits.MaxMessageBytes"/>: the UTF-8 length of
/// the message written as compact JSON with Segment's field names (<c>userId</c>,
/// <c>anonymousId</c>, <c>previousId</c>, <c>groupId</c>, <c>event</c> or <c>name</c>,
/// <c>category</c>, <c>messageId</c>, <c>timestamp</c>, <c>sentAt</c>, <c>properties</c>,
/// <c>traits</c>, <c>context</c>; no <c>type</c>), null fields left out, non-ASCII characters
/// unescaped, instants as <c>2024-05-01T12:00:00.123Z</c> (<see cref="MessageErrorKind.TooLarge"/>).
/// A message sent compactly with those names measures what its raw JSON does; the reader also
/// limits the raw JSON, so a message read from HTTP keeps both limits.</description></item>
/// <item><description>Track: <c>event</c> is present, not blank, at most
/// <see cref="MessageLimits.MaxEventNameLength"/> UTF-16 code units, and does not start with
/// <c>$</c> (reserved for <c>$page</c>, <c>$screen</c>, <c>$group</c>, …). Page and screen
/// names are free: they are stored as properties, not as event names.</description></item>
/// <item><description><c>messageId</c>, when given, is not blank and at most
/// <see cref="MessageLimits.MaxMessageIdLength"/> UTF-16 code units.</description></item>
/// <item><description>Group: <c>groupId</c> is not blank.</description></item>
/// <item><description>The identifier and name fields (<c>userId</c>, <c>anonymousId</c>,
/// <c>previousId</c>, <c>groupId</c>, <c>event</c>/<c>name</c>, <c>category</c>, <c>messageId</c>)
/// are valid UTF-16 without U+0000 (every store can keep them as text).</description></item>
/// <item><description>Identifiers (<see cref="IdentifierRules"/>): alias needs a usable
/// <c>previousId</c> and a usable <c>userId</c>; every other kind at least one usable identifier
/// (<c>userId</c> or <c>anonymousId</c>; for identify also <c>traits.email</c>).</description></item>
/// </list>
/// </remarks>
internal static class MessageValidator
{
    private const string PlaceholderNote = " (\"\", \"null\", \"0\" and similar placeholders do not count)";

    /// <summary>
    /// The first problem of a batch, or null: too many messages, a missing message, then each
    /// message in order. <paramref name="messageInvalid"/> tells whether a message itself broke a
    /// rule (the batch then counts as rejected messages).
    /// </summary>
    public static MessageError? ValidateBatch(IReadOnlyList<CdpMessage> messages, out bool messageInvalid)
    {
        messageInvalid = false;
        if (messages.Count > MessageLimits.MaxBatchMessages)
        {
            return new MessageError(MessageErrorKind.TooLarge, "batch", $"batch: a batch holds at most {MessageLimits.MaxBatchMessages} messages", null);
        }

        for (var i = 0; i < messages.Count; i++)
        {
            if (messages[i] is null)
            {
                return new MessageError(MessageErrorKind.Invalid, $"batch[{i}]", $"batch[{i}]: a message is required", i);
            }

            if (Validate(messages[i], messages.Count == 1 ? null : i) is { } error)
            {
                messageInvalid = true;
                return error;
            }
        }

        return null;
    }

    /// <summary>Checks <paramref name="message"/>; null when it may be accepted.</summary>
    /// <param name="message">The message.</param>
    /// <param name="batchIndex">The message's index in a batch, for the error's field path and text; null outside a batch.</param>
    /// <exception cref="ArgumentNullException"><paramref name="message"/> is null.</exception>
    public static MessageError? Validate(CdpMessage message, int? batchIndex)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!Enum.IsDefined(message.Kind))
        {
            return Invalid("type", "type must be one of track, identify, alias, page, screen, group");
        }

        if ((CheckBag(message.Properties, "properties") ?? CheckBag(message.Traits, "traits") ?? CheckBag(message.Context, "context")) is { } bagError)
        {
            return bagError;
        }

        if ((CheckText(message.UserId, "userId") ?? CheckText(message.AnonymousId, "anonymousId")
            ?? CheckText(message.PreviousId, "previousId") ?? CheckText(message.GroupId, "groupId")
            ?? CheckText(message.Event, MessageSize.EventField(message.Kind)) ?? CheckText(message.Category, "category")
            ?? CheckText(message.MessageId, "messageId")) is { } textError)
        {
            return textError;
        }

        var size = MessageSize.Measure(message);
        if (size > MessageLimits.MaxMessageBytes)
        {
            return MessageError.ForMessage(MessageErrorKind.TooLarge, null, TooLargeText(size), batchIndex);
        }

        if (message.Kind == MessageKind.Track && CheckEventName(message.Event) is { } eventProblem)
        {
            return Invalid("event", eventProblem);
        }

        if (message.MessageId is { } messageId)
        {
            if (string.IsNullOrWhiteSpace(messageId))
            {
                return Invalid("messageId", "messageId must not be empty");
            }

            if (messageId.Length > MessageLimits.MaxMessageIdLength)
            {
                return Invalid("messageId", string.Create(CultureInfo.InvariantCulture, $"messageId must be at most {MessageLimits.MaxMessageIdLength} characters (it has {messageId.Length})"));
            }
        }

        if (message.Kind == MessageKind.Group && string.IsNullOrWhiteSpace(message.GroupId))
        {
            return Invalid("groupId", "groupId is required");
        }

        if (message.Kind == MessageKind.Alias)
        {
            if (!IdentifierRules.IsUsable(message.PreviousId))
            {
                return Invalid("previousId", "previousId is required" + PlaceholderNote);
            }

            if (!IdentifierRules.IsUsable(message.UserId))
            {
                return Invalid("userId", "userId is required" + PlaceholderNote);
            }
        }
        else if (IdentifierRules.Extract(message).Count == 0)
        {
            return Invalid("userId", message.Kind == MessageKind.Identify
                ? "userId, anonymousId or traits.email is required" + PlaceholderNote
                : "userId or anonymousId is required" + PlaceholderNote);
        }

        return null;

        MessageError Invalid(string field, string text) => MessageError.ForMessage(MessageErrorKind.Invalid, field, text, batchIndex);

        MessageError? CheckBag(Value bag, string field)
        {
            if (bag.Kind is not (ValueKind.Null or ValueKind.Object))
            {
                return Invalid(field, field + " must be an object");
            }

            return ValueInspector.FindProblem(bag, field) is var (path, problem) ? Invalid(path, path + " " + problem) : null;
        }

        MessageError? CheckText(string? text, string field) => text switch
        {
            null => null,
            _ when !ValueInspector.Utf16IsValid(text) => Invalid(field, field + " " + ValueInspector.InvalidUnicode),

            // Identifiers and names are stored as text, which PostgreSQL cannot hold U+0000 in.
            _ when text.Contains('\0', StringComparison.Ordinal) => Invalid(field, field + " must not contain the character U+0000"),
            _ => null,
        };
    }

    internal static string TooLargeText(long size) =>
        string.Create(CultureInfo.InvariantCulture, $"message is too large: {size} bytes, at most {MessageLimits.MaxMessageBytes} (32 KB) allowed");

    // The problem with a track event name, or null.
    private static string? CheckEventName(string? name)
    {
        if (name is null)
        {
            return "event is required";
        }

        if (string.IsNullOrWhiteSpace(name))
        {
            return "event must not be empty";
        }

        if (name.Length > MessageLimits.MaxEventNameLength)
        {
            return string.Create(CultureInfo.InvariantCulture, $"event must be at most {MessageLimits.MaxEventNameLength} characters (it has {name.Length})");
        }

        return name.StartsWith('$') ? "event names starting with '$' are reserved" : null;
    }
}

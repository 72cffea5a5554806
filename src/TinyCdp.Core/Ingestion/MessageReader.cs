using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using TinyCdp.Language;

namespace TinyCdp.Ingestion;

/// <summary>
/// Reads tracking JSON, in the seed's or Segment's shape, into validated <see cref="CdpMessage"/>s.
/// Never throws on any input; every rejection is a <see cref="MessageError"/> naming the field.
/// </summary>
/// <remarks>
/// <para><b>Fields</b> (names are case-sensitive; unknown fields such as <c>_metadata</c>,
/// <c>integrations</c>, <c>originalTimestamp</c> or <c>receivedAt</c> are ignored; a JSON
/// <c>null</c> is the same as an absent field):</para>
/// <list type="bullet">
/// <item><description><c>userId</c> (synonym <c>externalId</c>), <c>anonymousId</c> (synonym
/// <c>deviceId</c>), alias <c>previousId</c> and group <c>groupId</c>: a string or a number; a number
/// becomes its JSON text as sent (<c>42</c> → <c>"42"</c>), as Segment's libraries do. When both names
/// of a pair are given, the Segment name wins (<c>userId</c> over <c>externalId</c>, <c>anonymousId</c>
/// over <c>deviceId</c>) unless its value is not usable (<see cref="IdentifierRules.IsUsable"/>: a
/// placeholder such as <c>"null"</c>) and the seed's is given; both must have a valid type.</description></item>
/// <item><description>Track: <c>event</c>, a string; <c>properties</c> (synonym <c>props</c>), an object.</description></item>
/// <item><description>Page and screen: <c>name</c>, a string (into <see cref="CdpMessage.Event"/>);
/// page <c>category</c>, a string; <c>properties</c>/<c>props</c>, an object.</description></item>
/// <item><description>Identify and group: <c>traits</c>, an object. Group: <c>groupId</c>.</description></item>
/// <item><description>Every kind: <c>context</c>, an object; <c>messageId</c>, a string;
/// <c>timestamp</c> (synonym <c>ts</c>) and <c>sentAt</c>, ISO-8601 date-time strings
/// (<c>2024-05-01T12:00:00.123Z</c>; an offset is optional and its absence means UTC; numbers are
/// refused because seconds and milliseconds since the epoch cannot be told apart).</description></item>
/// </list>
/// <para>Fields that do not belong to a message's kind (<c>event</c> on identify, <c>traits</c>
/// on track, …) are ignored like unknown fields. In a batch the kind comes from each item's
/// <c>type</c>, compared ignoring case (<c>"Track"</c> is a track); a message posted to a kind's
/// route takes its kind from the route and ignores <c>type</c>.</para>
/// <para>Values are kept as sent: identifiers are not trimmed or case-folded.</para>
/// <para><b>Errors</b> name the field as sent (<c>ts must be an ISO-8601 date-time</c>); rules checked
/// after reading are <see cref="MessageValidator"/>'s and use Segment's names.</para>
/// </remarks>
internal static class MessageReader
{
    // Deep enough that a message nested past MessageLimits.MaxDepth inside its properties gets the
    // precise "nested too deeply" error rather than a parse error, and small enough to bound the
    // parser's work.
    private static readonly JsonReaderOptions ParseOptions = new() { MaxDepth = 256 };

    private const string KindList = "track, identify, alias, page, screen, group";

    /// <summary>
    /// Reads one message from a JSON object already parsed: a body posted to <c>/v1/track</c>,
    /// <c>/v1/identify</c>, … or an item of a batch.
    /// </summary>
    /// <param name="body">The JSON object.</param>
    /// <param name="kindFromRoute">The kind the route implies; null to take it from the object's <c>type</c>.</param>
    /// <param name="batchIndex">The item's index in a batch (for error paths and texts), or null.</param>
    /// <param name="message">The message, validated by <see cref="MessageValidator"/>.</param>
    /// <param name="error">Why it was rejected.</param>
    /// <returns>True when <paramref name="message"/> was read.</returns>
    /// <remarks>The object's raw JSON text must be at most <see cref="MessageLimits.MaxMessageBytes"/> bytes.</remarks>
    public static bool TryReadMessage(JsonElement body, MessageKind? kindFromRoute, int? batchIndex, [NotNullWhen(true)] out CdpMessage? message, [NotNullWhen(false)] out MessageError? error) =>
        TryRead(body, kindFromRoute, batchIndex, default, out message, out error);

    /// <summary>
    /// Reads one message from a request body (JSON in UTF-8, as sent with <c>application/json</c> or
    /// <c>text/plain</c>; a UTF-8 byte order mark is skipped).
    /// </summary>
    /// <param name="utf8Json">The body.</param>
    /// <param name="kindFromRoute">The kind the route implies.</param>
    /// <param name="message">The message, validated by <see cref="MessageValidator"/>.</param>
    /// <param name="writeKey">
    /// The body's <c>writeKey</c>, if it has one (also set when the message is rejected for another
    /// reason); a <c>writeKey</c> that is not a string rejects the body.
    /// </param>
    /// <param name="error">Why it was rejected.</param>
    /// <returns>True when <paramref name="message"/> was read.</returns>
    /// <remarks>A body over <see cref="MessageLimits.MaxMessageBytes"/> is rejected before it is parsed.</remarks>
    public static bool TryReadMessage(ReadOnlySpan<byte> utf8Json, MessageKind kindFromRoute, [NotNullWhen(true)] out CdpMessage? message, out string? writeKey, [NotNullWhen(false)] out MessageError? error)
    {
        message = null;
        writeKey = null;
        utf8Json = SkipByteOrderMark(utf8Json);
        if (utf8Json.Length > MessageLimits.MaxMessageBytes)
        {
            error = MessageError.ForMessage(MessageErrorKind.TooLarge, null, MessageValidator.TooLargeText(utf8Json.Length), null);
            return false;
        }

        if (!TryParse(utf8Json, out var document, out error))
        {
            return false;
        }

        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Object && !TryReadWriteKey(root, out writeKey, out error))
            {
                return false;
            }

            return TryRead(root, kindFromRoute, null, default, out message, out error);
        }
    }

    /// <summary>
    /// Reads a <c>/v1/batch</c> (or <c>/v1/import</c>) body, <c>{batch: [...], sentAt?, context?, writeKey?}</c>,
    /// all or nothing: the first invalid item rejects the whole batch with an error naming
    /// <c>batch[i].field</c>.
    /// </summary>
    /// <param name="utf8Json">The body (JSON in UTF-8; a byte order mark is skipped).</param>
    /// <param name="batch">The messages, every one validated.</param>
    /// <param name="error">Why the batch was rejected.</param>
    /// <returns>True when <paramref name="batch"/> was read.</returns>
    /// <remarks>
    /// <para>Limits: the body at most <see cref="MessageLimits.MaxBatchBytes"/> bytes (checked before
    /// parsing), at most <see cref="MessageLimits.MaxBatchMessages"/> items, each item's raw JSON at
    /// most <see cref="MessageLimits.MaxMessageBytes"/> bytes; all three are
    /// <see cref="MessageErrorKind.TooLarge"/>. An empty <c>batch</c> is accepted and holds no
    /// messages.</para>
    /// <para>The batch's <c>sentAt</c> and <c>context</c> apply to the items that have none of their
    /// own (a <c>context</c> is replaced as a whole, not merged), as Segment does. Other batch-level
    /// fields (<c>timestamp</c>, <c>_metadata</c>, …) are ignored.</para>
    /// </remarks>
    public static bool TryReadBatch(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out MessageBatch? batch, [NotNullWhen(false)] out MessageError? error)
    {
        batch = null;
        utf8Json = SkipByteOrderMark(utf8Json);
        if (utf8Json.Length > MessageLimits.MaxBatchBytes)
        {
            error = BodyError(MessageErrorKind.TooLarge, "body", string.Create(CultureInfo.InvariantCulture,
                $"body is too large: {utf8Json.Length} bytes, at most {MessageLimits.MaxBatchBytes} (500 KB) allowed"));
            return false;
        }

        if (!TryParse(utf8Json, out var document, out error))
        {
            return false;
        }

        using (document)
        {
            return TryReadBatch(document.RootElement, out batch, out error);
        }
    }

    private static bool TryReadBatch(JsonElement root, [NotNullWhen(true)] out MessageBatch? batch, [NotNullWhen(false)] out MessageError? error)
    {
        batch = null;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = BodyError(MessageErrorKind.Malformed, "body", "body must be a JSON object");
            return false;
        }

        if (!TryReadWriteKey(root, out var writeKey, out error))
        {
            return false;
        }

        JsonElement items = default, sentAtElement = default, contextElement = default;
        foreach (var property in root.EnumerateObject())
        {
            switch (JsonValueConverter.TryGetName(property))
            {
                case "batch": items = property.Value; break;
                case "sentAt": sentAtElement = property.Value; break;
                case "context": contextElement = property.Value; break;
            }
        }

        var defaults = new BatchDefaults();
        if (IsPresent(sentAtElement))
        {
            if (!TryReadInstant(sentAtElement, out var sentAt))
            {
                error = BodyError(MessageErrorKind.Invalid, "sentAt", "sentAt must be an ISO-8601 date-time");
                return false;
            }

            defaults.SentAt = sentAt;
        }

        if (IsPresent(contextElement))
        {
            if (!TryReadObject(contextElement, "context", null, out var context, out error))
            {
                return false;
            }

            defaults.Context = context;
        }

        if (!IsPresent(items))
        {
            error = BodyError(MessageErrorKind.Invalid, "batch", "batch is required");
            return false;
        }

        if (items.ValueKind != JsonValueKind.Array)
        {
            error = BodyError(MessageErrorKind.Invalid, "batch", "batch must be an array");
            return false;
        }

        var count = items.GetArrayLength();
        if (count > MessageLimits.MaxBatchMessages)
        {
            error = BodyError(MessageErrorKind.TooLarge, "batch", string.Create(CultureInfo.InvariantCulture,
                $"batch has {count} messages, at most {MessageLimits.MaxBatchMessages} allowed"));
            return false;
        }

        var messages = new CdpMessage[count];
        var index = 0;
        foreach (var item in items.EnumerateArray())
        {
            if (!TryRead(item, null, index, defaults, out var message, out error))
            {
                return false;
            }

            messages[index++] = message;
        }

        batch = new MessageBatch(messages, writeKey);
        error = null;
        return true;
    }

    private static bool TryRead(JsonElement body, MessageKind? kindFromRoute, int? index, BatchDefaults defaults, [NotNullWhen(true)] out CdpMessage? message, [NotNullWhen(false)] out MessageError? error)
    {
        message = null;
        if (body.ValueKind != JsonValueKind.Object)
        {
            error = MessageError.ForMessage(MessageErrorKind.Malformed, null, "message must be a JSON object", index);
            return false;
        }

        var rawSize = JsonMarshal.GetRawUtf8Value(body).Length;
        if (rawSize > MessageLimits.MaxMessageBytes)
        {
            error = MessageError.ForMessage(MessageErrorKind.TooLarge, null, MessageValidator.TooLargeText(rawSize), index);
            return false;
        }

        var fields = Fields.Collect(body);
        var reader = new FieldReader(index);
        if (!reader.TryReadKind(fields.Type, kindFromRoute, out var kind)
            || !reader.TryReadId(fields.UserId, "userId", out var userId)
            || !reader.TryReadId(fields.ExternalId, "externalId", out var externalId)
            || !reader.TryReadId(fields.AnonymousId, "anonymousId", out var anonymousId)
            || !reader.TryReadId(fields.DeviceId, "deviceId", out var deviceId))
        {
            error = reader.Error!;
            return false;
        }

        string? previousId = null, groupId = null, name = null, category = null, messageId = null;
        Value properties = default, props = default, traits = default, context = default;
        DateTimeOffset? timestamp = null, ts = null, sentAt = null;
        var ok = kind switch
        {
            MessageKind.Track => reader.TryReadString(fields.Event, "event", out name)
                && reader.TryReadBag(fields.Properties, "properties", out properties)
                && reader.TryReadBag(fields.Props, "props", out props),
            MessageKind.Page => reader.TryReadString(fields.Name, "name", out name)
                && reader.TryReadString(fields.Category, "category", out category)
                && reader.TryReadBag(fields.Properties, "properties", out properties)
                && reader.TryReadBag(fields.Props, "props", out props),
            MessageKind.Screen => reader.TryReadString(fields.Name, "name", out name)
                && reader.TryReadBag(fields.Properties, "properties", out properties)
                && reader.TryReadBag(fields.Props, "props", out props),
            MessageKind.Identify => reader.TryReadBag(fields.Traits, "traits", out traits),
            MessageKind.Alias => reader.TryReadId(fields.PreviousId, "previousId", out previousId),
            _ => reader.TryReadId(fields.GroupId, "groupId", out groupId)
                && reader.TryReadBag(fields.Traits, "traits", out traits),
        };

        ok = ok
            && reader.TryReadBag(fields.Context, "context", out context)
            && reader.TryReadString(fields.MessageId, "messageId", out messageId)
            && reader.TryReadInstant(fields.Timestamp, "timestamp", out timestamp)
            && reader.TryReadInstant(fields.Ts, "ts", out ts)
            && reader.TryReadInstant(fields.SentAt, "sentAt", out sentAt);
        if (!ok)
        {
            error = reader.Error!;
            return false;
        }

        message = new CdpMessage
        {
            Kind = kind,
            UserId = Prefer(userId, externalId),
            AnonymousId = Prefer(anonymousId, deviceId),
            PreviousId = previousId,
            GroupId = groupId,
            Event = name,
            Category = category,
            Properties = properties.IsNull ? props : properties,
            Traits = traits,
            Context = IsPresent(fields.Context) ? context : defaults.Context,
            Timestamp = timestamp ?? ts,
            SentAt = sentAt ?? defaults.SentAt,
            MessageId = messageId,
        };

        error = MessageValidator.Validate(message, index);
        if (error is not null)
        {
            message = null;
            return false;
        }

        return true;
    }

    private static bool TryParse(ReadOnlySpan<byte> utf8Json, [NotNullWhen(true)] out JsonDocument? document, [NotNullWhen(false)] out MessageError? error)
    {
        document = null;

        // System.Text.Json checks UTF-8 inside strings only when they are decoded; checking the
        // whole body first (vectorized, cheap) gives one clear error instead of a field error later.
        if (!Utf8.IsValid(utf8Json))
        {
            error = BodyError(MessageErrorKind.Malformed, "body", "body is not valid UTF-8");
            return false;
        }

        var reader = new Utf8JsonReader(utf8Json, ParseOptions);
        JsonDocument? parsed = null;
        try
        {
            parsed = JsonDocument.ParseValue(ref reader);

            // ParseValue stops after the first value: anything but white space after it is an error
            // (Read throws for most trailing text; a second value makes it return true).
            if (reader.Read())
            {
                error = BodyError(MessageErrorKind.Malformed, "body", "body is not valid JSON (more than one value)");
                return false;
            }

            (document, parsed) = (parsed, null);
            error = null;
            return true;
        }
        catch (JsonException exception)
        {
            error = BodyError(MessageErrorKind.Malformed, "body", string.Create(CultureInfo.InvariantCulture,
                $"body is not valid JSON (line {(exception.LineNumber ?? 0) + 1}, byte {(exception.BytePositionInLine ?? 0) + 1})"));
            return false;
        }
        finally
        {
            parsed?.Dispose();
        }
    }

    private static bool TryReadWriteKey(JsonElement root, out string? writeKey, [NotNullWhen(false)] out MessageError? error)
    {
        writeKey = null;
        error = null;
        foreach (var property in root.EnumerateObject())
        {
            if (JsonValueConverter.TryGetName(property) == "writeKey")
            {
                writeKey = property.Value.ValueKind == JsonValueKind.String ? JsonValueConverter.TryGetString(property.Value) : null;
                if (writeKey is null && property.Value.ValueKind != JsonValueKind.Null)
                {
                    error = BodyError(MessageErrorKind.Invalid, "writeKey", "writeKey must be a string");
                    return false;
                }
            }
        }

        return true;
    }

    // Segment's name wins unless its value is absent or a placeholder and the seed's name has one.
    private static string? Prefer(string? segmentName, string? seedName) =>
        seedName is null || IdentifierRules.IsUsable(segmentName) ? segmentName : seedName;

    private static ReadOnlySpan<byte> SkipByteOrderMark(ReadOnlySpan<byte> utf8Json) =>
        utf8Json.StartsWith("\uFEFF"u8) ? utf8Json[3..] : utf8Json;

    private static MessageError BodyError(MessageErrorKind kind, string field, string text) => new(kind, field, text, null);

    private static bool IsPresent(JsonElement element) => element.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null);

    private static bool TryReadInstant(JsonElement element, out DateTimeOffset instant)
    {
        instant = default;
        return element.ValueKind == JsonValueKind.String && IsoDateTime.TryParse(JsonValueConverter.TryGetString(element), out instant);
    }

    private static bool TryReadObject(JsonElement element, string field, int? index, out Value value, [NotNullWhen(false)] out MessageError? error)
    {
        value = default;
        if (element.ValueKind != JsonValueKind.Object)
        {
            error = MessageError.ForMessage(MessageErrorKind.Invalid, field, field + " must be an object", index);
            return false;
        }

        if (!JsonValueConverter.TryConvert(element, field, out value, out var problem))
        {
            error = MessageError.ForMessage(MessageErrorKind.Invalid, problem.Path, problem.Path + " " + problem.Problem, index);
            return false;
        }

        error = null;
        return true;
    }

    private struct BatchDefaults
    {
        public DateTimeOffset? SentAt;
        public Value Context;
    }

    // The known top-level fields of a message; an absent one is default (Undefined). When a field
    // appears twice the last wins, as in Value.FromJson.
    private struct Fields
    {
        public JsonElement Type, UserId, ExternalId, AnonymousId, DeviceId, PreviousId, GroupId, Event, Name, Category;
        public JsonElement Properties, Props, Traits, Context, Timestamp, Ts, SentAt, MessageId;

        public static Fields Collect(JsonElement body)
        {
            var fields = default(Fields);
            foreach (var property in body.EnumerateObject())
            {
                // A name that cannot be decoded is no known field: it is ignored like any unknown one.
                switch (JsonValueConverter.TryGetName(property))
                {
                    case "type": fields.Type = property.Value; break;
                    case "userId": fields.UserId = property.Value; break;
                    case "externalId": fields.ExternalId = property.Value; break;
                    case "anonymousId": fields.AnonymousId = property.Value; break;
                    case "deviceId": fields.DeviceId = property.Value; break;
                    case "previousId": fields.PreviousId = property.Value; break;
                    case "groupId": fields.GroupId = property.Value; break;
                    case "event": fields.Event = property.Value; break;
                    case "name": fields.Name = property.Value; break;
                    case "category": fields.Category = property.Value; break;
                    case "properties": fields.Properties = property.Value; break;
                    case "props": fields.Props = property.Value; break;
                    case "traits": fields.Traits = property.Value; break;
                    case "context": fields.Context = property.Value; break;
                    case "timestamp": fields.Timestamp = property.Value; break;
                    case "ts": fields.Ts = property.Value; break;
                    case "sentAt": fields.SentAt = property.Value; break;
                    case "messageId": fields.MessageId = property.Value; break;
                }
            }

            return fields;
        }
    }

    // Reads typed fields, keeping the first error.
    private sealed class FieldReader(int? index)
    {
        public MessageError? Error { get; private set; }

        public bool TryReadKind(JsonElement element, MessageKind? fromRoute, out MessageKind kind)
        {
            if (fromRoute is { } routeKind)
            {
                kind = routeKind;
                return true;
            }

            kind = default;
            if (!IsPresent(element))
            {
                return Fail("type", "type is required");
            }

            if (element.ValueKind != JsonValueKind.String)
            {
                return Fail("type", "type must be a string");
            }

            switch (JsonValueConverter.TryGetString(element)?.ToUpperInvariant())
            {
                case "TRACK": kind = MessageKind.Track; return true;
                case "IDENTIFY": kind = MessageKind.Identify; return true;
                case "ALIAS": kind = MessageKind.Alias; return true;
                case "PAGE": kind = MessageKind.Page; return true;
                case "SCREEN": kind = MessageKind.Screen; return true;
                case "GROUP": kind = MessageKind.Group; return true;
                default: return Fail("type", "type must be one of " + KindList);
            }
        }

        public bool TryReadId(JsonElement element, string field, out string? id)
        {
            id = null;
            switch (element.ValueKind)
            {
                case JsonValueKind.Undefined or JsonValueKind.Null:
                    return true;
                case JsonValueKind.Number:
                    id = element.GetRawText();
                    return true;
                case JsonValueKind.String:
                    id = JsonValueConverter.TryGetString(element);
                    return id is not null || Fail(field, field + " " + ValueInspector.InvalidUnicode);
                default:
                    return Fail(field, field + " must be a string or a number");
            }
        }

        public bool TryReadString(JsonElement element, string field, out string? text)
        {
            text = null;
            switch (element.ValueKind)
            {
                case JsonValueKind.Undefined or JsonValueKind.Null:
                    return true;
                case JsonValueKind.String:
                    text = JsonValueConverter.TryGetString(element);
                    return text is not null || Fail(field, field + " " + ValueInspector.InvalidUnicode);
                default:
                    return Fail(field, field + " must be a string");
            }
        }

        public bool TryReadBag(JsonElement element, string field, out Value value)
        {
            value = default;
            if (!IsPresent(element))
            {
                return true;
            }

            if (TryReadObject(element, field, index, out value, out var error))
            {
                return true;
            }

            Error = error;
            return false;
        }

        public bool TryReadInstant(JsonElement element, string field, out DateTimeOffset? instant)
        {
            instant = null;
            if (!IsPresent(element))
            {
                return true;
            }

            if (MessageReader.TryReadInstant(element, out var value))
            {
                instant = value;
                return true;
            }

            return Fail(field, field + " must be an ISO-8601 date-time");
        }

        private bool Fail(string field, string text)
        {
            Error = MessageError.ForMessage(MessageErrorKind.Invalid, field, text, index);
            return false;
        }
    }
}

using System.Text;
using System.Text.Json;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using TinyCdp.Ingestion;

namespace TinyCdp.Core.Tests.Ingestion;

// The reader never throws, and whatever it accepts the validator accepts too.
public class MessageReaderProperties
{
    private static readonly string[] FieldNames =
    [
        "type", "userId", "externalId", "anonymousId", "deviceId", "previousId", "groupId", "event", "name",
        "category", "properties", "props", "traits", "context", "timestamp", "ts", "sentAt", "messageId",
        "writeKey", "batch", "email", "_metadata", "integrations", "x", "",
    ];

    // JSON texts (already encoded) that are good or bad for one field or another.
    private static readonly string[] Strings =
    [
        "\"\"", "\" \"", "\"u1\"", "\"a1\"", "\"null\"", "\"0\"", "\"undefined\"", "\"anonymous\"",
        "\"track\"", "\"Identify\"", "\"alias\"", "\"page\"", "\"screen\"", "\"group\"", "\"purchase\"",
        "\"Signed Up\"", "\"$page\"", "\"2024-05-01T12:00:00Z\"", "\"2024-05-01T12:00:00.123+02:00\"",
        "\"2024-05-01\"", "\"yesterday\"", "\"alice@example.com\"", "\"n/a\"", "\"\\ud800\"", "\"\\udc00x\"",
        "\"\\ud83d\\ude00\"", "\"Zoë 👩‍💻\"", "\"" + new string('e', 201) + "\"",
    ];

    private static readonly string[] Scalars = ["null", "true", "false", "0", "42", "-1.5", "1e400", "1714564800", "12345678901234567890"];

    private static Gen<string> Json(int depth) =>
        depth <= 0
            ? Gen.Elements(Strings.Concat(Scalars))
            : Gen.Frequency(
                (4, Gen.Elements(Strings.Concat(Scalars))),
                (2, Object(depth - 1)),
                (1, from items in Json(depth - 1).ArrayOf()
                    select "[" + string.Join(",", items) + "]"));

    private static Gen<string> Object(int depth) =>
        from count in Gen.Choose(0, 8)
        from members in (from key in Gen.Elements(FieldNames)
                         from value in Json(depth)
                         select "\"" + key + "\":" + value).ArrayOf(count)
        select "{" + string.Join(",", members) + "}";

    // Message-like objects: mostly plausible fields with plausible values, so that many are accepted.
    private static readonly Gen<string> Messages =
        from count in Gen.Choose(0, 10)
        from members in (from key in Gen.Elements(FieldNames)
                         from value in Gen.Frequency((3, Plausible(key)), (1, Json(2)))
                         select "\"" + key + "\":" + value).ArrayOf(count)
        select "{" + string.Join(",", members) + "}";

    private static Gen<string> Plausible(string key) => key switch
    {
        "type" => Gen.Elements("\"track\"", "\"identify\"", "\"alias\"", "\"page\"", "\"screen\"", "\"group\"", "\"TRACK\""),
        "userId" or "externalId" or "anonymousId" or "deviceId" or "previousId" or "groupId" => Gen.Elements("\"u1\"", "\"a1\"", "42", "\"null\""),
        "event" or "name" or "category" => Gen.Elements("\"Signed Up\"", "\"Pricing\"", "\"$page\""),
        "timestamp" or "ts" or "sentAt" => Gen.Elements("\"2024-05-01T12:00:00Z\"", "\"2024-05-01T12:00:00.5-05:00\""),
        "messageId" => Gen.Elements("\"m-1\"", "\"m-2\""),
        "traits" => Gen.Elements("{\"email\":\"alice@example.com\"}", "{\"plan\":\"pro\"}", "{}"),
        _ => Object(2),
    };

    // Batch items that are usually valid: a type and the fields its kind needs, plus a random field now and then.
    private static readonly Gen<string> Items =
        from type in Gen.Elements("track", "identify", "alias", "page", "screen", "group")
        from id in Gen.Elements("\"userId\":\"u1\"", "\"anonymousId\":\"a1\"", "\"externalId\":7", "\"deviceId\":\"d1\"")
        from timestamp in Gen.Elements("", ",\"timestamp\":\"2024-05-01T12:00:00Z\"", ",\"ts\":\"2024-05-01T12:00:00.25+01:00\"")
        from extra in Gen.Frequency((8, Gen.Constant("")), (1, from key in Gen.Elements(FieldNames) from value in Json(2) select ",\"" + key + "\":" + value))
        let needs = type switch
        {
            "track" => ",\"event\":\"Signed Up\",\"properties\":{\"plan\":\"pro\"}",
            "alias" => ",\"userId\":\"u2\",\"previousId\":\"a1\"",
            "group" => ",\"groupId\":\"g1\"",
            "page" => ",\"name\":\"Pricing\",\"category\":\"Docs\"",
            _ => "",
        }
        select "{\"type\":\"" + type + "\"," + id + needs + timestamp + extra + "}";

    private static readonly Gen<MessageKind?> RouteKinds =
        Gen.Elements<MessageKind?>(null, MessageKind.Track, MessageKind.Identify, MessageKind.Alias, MessageKind.Page, MessageKind.Screen, MessageKind.Group);

    private static readonly Arbitrary<(string Json, MessageKind? Kind)> MessageInputs =
        (from json in Gen.Frequency((3, Messages), (1, Json(3)))
         from kind in RouteKinds
         select (json, kind)).ToArbitrary();

    private static readonly Arbitrary<string> BatchBodies =
        Gen.Frequency(
            (4, from count in Gen.Choose(0, 6)
                from items in Gen.Frequency((12, Items), (1, Messages)).ArrayOf(count)
                from extra in Gen.Elements("", ",\"sentAt\":\"2024-05-01T12:00:01Z\"", ",\"context\":{\"ip\":\"1.1.1.1\"}", ",\"writeKey\":\"wk\"", ",\"sentAt\":5", ",\"writeKey\":[]")
                select "{\"batch\":[" + string.Join(",", items) + "]" + extra + "}"),
            (1, Object(3)),
            (1, Json(3)))
        .ToArbitrary();

    // Arbitrary bytes, often JSON-looking, cut at any point.
    private static readonly Arbitrary<byte[]> Bodies =
        Gen.Frequency(
            (2, from json in Gen.OneOf(Messages, BatchBodies.Generator)
                from cut in Gen.Choose(0, 100)
                let bytes = Encoding.UTF8.GetBytes(json)
                select bytes[..(bytes.Length * cut / 100)]),
            (1, Gen.Choose(0, 255).Select(b => (byte)b).ArrayOf()))
        .ToArbitrary();

    private static bool Accepted(CdpMessage message, int? index) => MessageValidator.Validate(message, index) is null;

    private static bool Named(MessageError error, int? index) =>
        error.Field.Length > 0 && error.Message.Length > 0 && error.Index == index
        && (index is not { } i || (error.Field.StartsWith($"batch[{i}]", StringComparison.Ordinal) && error.Message.StartsWith($"batch[{i}]: ", StringComparison.Ordinal)));

    [Property(MaxTest = 2000)]
    public Property TryReadMessage_AnyJsonObject_AcceptsOnlyValidMessagesOrNamesTheField() =>
        Prop.ForAll(MessageInputs, input =>
        {
            using var document = JsonDocument.Parse(input.Json);
            var index = input.Json.Length % 3 == 0 ? (int?)null : input.Json.Length % 7;
            return MessageReader.TryReadMessage(document.RootElement, input.Kind, index, out var message, out var error)
                ? error is null && Accepted(message, index)
                : message is null && Named(error, index);
        });

    [Property(MaxTest = 2000)]
    public Property TryReadMessageBytes_AnyJson_AcceptsOnlyValidMessagesOrNamesTheField() =>
        Prop.ForAll(MessageInputs, input =>
            MessageReader.TryReadMessage(Encoding.UTF8.GetBytes(input.Json), input.Kind ?? MessageKind.Track, out var message, out _, out var error)
                ? error is null && Accepted(message, null)
                : message is null && Named(error, null));

    [Property(MaxTest = 1000)]
    public Property TryReadBatch_AnyJson_AcceptsOnlyValidBatchesOrNamesTheField() =>
        Prop.ForAll(BatchBodies, json =>
            MessageReader.TryReadBatch(Encoding.UTF8.GetBytes(json), out var batch, out var error)
                ? error is null && batch.Messages.Select((m, i) => Accepted(m, i)).All(ok => ok)
                : batch is null && error.Field.Length > 0 && error.Message.Length > 0
                    && (error.Index is not { } i || error.Field.StartsWith($"batch[{i}]", StringComparison.Ordinal)));

    [Property(MaxTest = 2000)]
    public Property TryRead_AnyBytes_NeverThrows() =>
        Prop.ForAll(Bodies, bytes =>
        {
            var batchRead = MessageReader.TryReadBatch(bytes, out var batch, out var batchError);
            var messageRead = MessageReader.TryReadMessage(bytes, MessageKind.Identify, out var message, out _, out var messageError);
            return (batchRead ? batch is not null : batchError is { Field.Length: > 0, Message.Length: > 0 })
                && (messageRead ? message is not null : messageError is { Field.Length: > 0, Message.Length: > 0 });
        });

    [Fact]
    public void Generators_ProduceAcceptedAndRejectedMessages()
    {
        // Guards against a vacuous property: a fair share of generated messages must be accepted.
        var samples = Gen.Sample(MessageInputs.Generator, 500);
        var accepted = samples.Count(input =>
        {
            using var document = JsonDocument.Parse(input.Json);
            return MessageReader.TryReadMessage(document.RootElement, input.Kind, null, out _, out _);
        });

        Assert.InRange(accepted, 25, 475);

        var batches = Gen.Sample(BatchBodies.Generator, 500);
        var acceptedBatches = batches.Count(json => MessageReader.TryReadBatch(Encoding.UTF8.GetBytes(json), out var batch, out _) && batch.Messages.Count > 0);
        Assert.InRange(acceptedBatches, 25, 475);
    }
}

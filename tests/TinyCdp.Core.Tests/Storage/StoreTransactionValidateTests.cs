using TinyCdp.Identity;
using TinyCdp.Storage;

namespace TinyCdp.Core.Tests.Storage;

/// <summary>The state-free checks every store makes before applying a transaction, with their exact words.</summary>
public class StoreTransactionValidateTests
{
    private static readonly Guid A = new("00000000-0000-0000-0000-00000000000a");
    private static readonly DateTimeOffset At = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void EmptyTransaction_IsValid() => new StoreTransaction().Validate();

    [Fact]
    public void NullRequiredValue_NamesIt()
    {
        var transaction = new StoreTransaction();
        transaction.Profiles.Add(new StoredProfile(A, At, null!, "{}", null, 1));

        var error = Assert.Throws<ArgumentException>(transaction.Validate);

        Assert.Equal("The transaction has a null PropertiesJson. (Parameter 'transaction')", error.Message);
    }

    [Fact]
    public void MergeIntoItself_IsRefused()
    {
        var transaction = new StoreTransaction();
        transaction.Merges.Add(new StoredMerge(A, A, At, "m1"));

        var error = Assert.Throws<ArgumentException>(transaction.Validate);

        Assert.Equal($"Profile {A} cannot absorb itself. (Parameter 'transaction')", error.Message);
    }

    [Fact]
    public void UndefinedEnumValue_IsRefused()
    {
        var transaction = new StoreTransaction();
        transaction.Suppressions.Add(new Identifier((IdentifierKind)9, "x"));

        var error = Assert.Throws<ArgumentOutOfRangeException>(transaction.Validate);

        Assert.StartsWith("Unknown IdentifierKind value.", error.Message, StringComparison.Ordinal);
        Assert.Equal((IdentifierKind)9, error.ActualValue);
    }
}

namespace TinyCdp.Definitions;

/// <summary>How a save treats an existing definition with the same key.</summary>
public enum SaveMode
{
    /// <summary>Create or replace.</summary>
    Upsert,

    /// <summary>Create only: an existing key is an error (<c>already_exists</c>).</summary>
    Create,

    /// <summary>Replace only: a missing key is an error (<c>not_found</c>).</summary>
    Update,
}

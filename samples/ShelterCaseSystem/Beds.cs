namespace ShelterCaseSystem;

/// <summary>The shelter's beds and who is in them: a referral id per occupied bed, nothing about the person.</summary>
public sealed class Beds(int total)
{
    private readonly HashSet<Guid> _occupied = [];

    public int Total { get; } = total;

    public int Available
    {
        get
        {
            lock (_occupied)
            {
                return Total - _occupied.Count;
            }
        }
    }

    /// <summary>Takes a bed for the referral, if one is free.</summary>
    public bool TryTake(Guid referralId)
    {
        lock (_occupied)
        {
            return _occupied.Count < Total && _occupied.Add(referralId);
        }
    }

    /// <summary>Frees the referral's bed; false when it had none.</summary>
    public bool Release(Guid referralId)
    {
        lock (_occupied)
        {
            return _occupied.Remove(referralId);
        }
    }
}

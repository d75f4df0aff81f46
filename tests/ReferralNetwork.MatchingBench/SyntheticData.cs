namespace ReferralNetwork.MatchingBench;

/// <summary>
/// The records of a run in index order: singletons and both records of each planted pair, shuffled, with ids.
/// <see cref="Partner"/> is the other record of the same person, or −1.
/// </summary>
internal sealed class SyntheticData
{
    public required SyntheticRecord[] Records { get; init; }
    public required Guid[] Ids { get; init; }
    public required int[] Partner { get; init; }

    /// <summary>The second (cross-border) record of each pair: the queries that must find their partner.</summary>
    public required int[] DuplicateQueries { get; init; }

    /// <summary>As many records without a duplicate: every match they get is a false one.</summary>
    public required int[] SingletonQueries { get; init; }

    public static SyntheticData Build(int size, int pairs, int seed)
    {
        if (2 * pairs > size)
        {
            throw new ArgumentException("More pair records than records.");
        }

        var population = new Population(seed);
        var singles = size - 2 * pairs;
        var records = new SyntheticRecord[size];
        Parallel.For(0, singles + pairs, new ParallelOptions { MaxDegreeOfParallelism = 2 }, i =>
        {
            var random = population.RandomFor(i);
            var person = population.NewPerson(random);
            if (i < singles)
            {
                records[i] = population.Original(person, random, yearOnlySometimes: true);
            }
            else
            {
                var at = singles + 2 * (i - singles);
                records[at] = population.Original(person, random, yearOnlySometimes: true);
                records[at + 1] = population.Duplicate(person, random);
            }
        });

        // Shuffle so that the index is not filled pair by pair, and the 10,000-record prefix is a fair sample.
        var shuffle = new Random(seed);
        var order = Enumerable.Range(0, size).ToArray();
        shuffle.Shuffle(order);
        var position = new int[size];
        for (var p = 0; p < size; p++)
        {
            position[order[p]] = p;
        }

        var shuffled = new SyntheticRecord[size];
        var partner = new int[size];
        Array.Fill(partner, -1);
        var duplicates = new List<int>(pairs);
        for (var original = 0; original < size; original++)
        {
            shuffled[position[original]] = records[original];
            if (original >= singles)
            {
                var isSecond = (original - singles) % 2 == 1;
                var other = isSecond ? original - 1 : original + 1;
                partner[position[original]] = position[other];
                if (isSecond)
                {
                    duplicates.Add(position[original]);
                }
            }
        }

        var ids = new Guid[size];
        var bytes = new byte[16];
        for (var i = 0; i < size; i++)
        {
            shuffle.NextBytes(bytes);
            ids[i] = new Guid(bytes);
        }

        var singletonQueries = new List<int>(pairs);
        while (singletonQueries.Count < pairs)
        {
            var candidate = shuffle.Next(size);
            if (partner[candidate] < 0)
            {
                singletonQueries.Add(candidate);
            }
        }

        return new SyntheticData
        {
            Records = shuffled,
            Ids = ids,
            Partner = partner,
            DuplicateQueries = [.. duplicates],
            SingletonQueries = [.. singletonQueries.Distinct()],
        };
    }
}

[assembly: TestCollectionOrderer(typeof(ReferralNetwork.Testing.LongestFirst))]

Console.WriteLine("TinyCdp quick start: arrives with the engine.");

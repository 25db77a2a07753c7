import {
  bridgeConfig, cronAt, latencyStats, median, overlaps, parseVmRssMB, percentile, pluginPlatform, procStatusField, syntheticHistory, ZONE_NAMES,
} from '../../bench/homebridge';
import { parseConfig } from '../../src/config/validate';
import { checkRecord, HistoryRecord } from '../../src/store/history';
import { fitThermal } from '../../src/learning/thermal-fit';

const STATUS = `Name:\tnode
Umask:\t0022
State:\tS (sleeping)
VmPeak:\t 1234567 kB
VmHWM:\t  104960 kB
VmRSS:\t   98304 kB
RssAnon:\t   60000 kB
Threads:\t11
`;

describe('bench/homebridge pure helpers', () => {
  it('reads VmRSS, VmHWM and Threads from /proc/<pid>/status', () => {
    expect(parseVmRssMB(STATUS)).toBe(96);
    expect(procStatusField(STATUS, 'VmHWM')).toBe(104960);
    expect(procStatusField(STATUS, 'Threads')).toBe(11);
    // VmRSS, not RssAnon or a prefix of another field.
    expect(procStatusField(STATUS, 'Rss')).toBeUndefined();
    expect(parseVmRssMB('Name:\tnode\n')).toBeUndefined();
  });

  it('computes nearest-rank percentiles and medians', () => {
    const v = Array.from({ length: 100 }, (_, i) => 100 - i); // 1..100, unsorted
    expect(percentile(v, 0.99)).toBe(99);
    expect(percentile(v, 1)).toBe(100);
    expect(percentile(v, 0)).toBe(1);
    expect(percentile([7], 0.99)).toBe(7);
    expect(percentile([], 0.5)).toBeNull();
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNull();
    expect(v[0]).toBe(100); // not sorted in place
    expect(latencyStats([1, 2, 3, 4], 1)).toEqual({ n: 4, medianMs: 2.5, p99Ms: 4, maxMs: 4, errors: 1 });
    expect(latencyStats([])).toEqual({ n: 0, medianMs: null, p99Ms: null, maxMs: null, errors: 0 });
  });

  it('tells overlapping intervals', () => {
    expect(overlaps(0, 1, 1, 2)).toBe(true);
    expect(overlaps(0, 1, 0.2, 0.3)).toBe(true);
    expect(overlaps(0, 1, 1.1, 2)).toBe(false);
    expect(overlaps(3, 4, 1, 2)).toBe(false);
  });

  it('writes a cron expression node-cron accepts, and a config the plugin accepts', () => {
    const at = new Date(2026, 10, 24, 23, 5, 7);
    expect(cronAt(at)).toBe('7 5 23 24 11 *');
    const parsed = parseConfig(pluginPlatform(cronAt(at)));
    expect(parsed.problems).toEqual([]);
    expect(parsed.settings.zones.map((z) => z.name)).toEqual(ZONE_NAMES);
    expect(parsed.settings.maintenance.thermalFit).toBe('7 5 23 24 11 *');
    expect(parsed.settings.simulation.timeScale).toBe(60);
    const cfg = bridgeConfig('x', '0E:00:00:00:00:01', 51000, []) as { bridge: { bind: string[]; advertiser: string } };
    expect(cfg.bridge.bind).toEqual(['lo']);
    expect(cfg.bridge.advertiser).toBe('ciao');
  });

  it('makes valid history segments, one per UTC day, that the thermal fit can fit', () => {
    const end = Date.UTC(2026, 0, 10, 12);
    const segments = [...syntheticHistory(end, 3)];
    expect(segments.map((s) => s.day)).toEqual(['2026-01-07', '2026-01-08', '2026-01-09', '2026-01-10']);
    const records: HistoryRecord[] = [];
    for (const s of segments) {
      const lines = s.text.trimEnd().split('\n');
      expect(lines.length).toBe(s.records);
      for (const line of lines) {
        const r = JSON.parse(line) as HistoryRecord;
        expect(checkRecord(r)).toBeUndefined();
        expect(new Date(r.t).toISOString().slice(0, 10)).toBe(s.day);
        records.push(r);
      }
    }
    expect(records[records.length - 1].t).toBeLessThan(end);
    expect(records.filter((r) => r.kind === 'temperature')).toHaveLength(3 * 1440);
    const fit = fitThermal(records.filter((r) => r.kind === 'temperature' || r.kind === 'outdoor' || r.kind === 'equipment'));
    expect(fit.ok).toBe(true);
    expect(fit.tauHours).toBeGreaterThan(20);
    expect(fit.tauHours).toBeLessThan(45);
  });
});

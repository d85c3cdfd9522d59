import { Box, Text } from 'ink';
import { describe, expect, it } from 'vitest';
import { lineToCells, blankCells } from '../../src/screen/cells.js';
import { type Region, Screen } from '../../src/screen/screen.js';
import { sameProps } from '../../src/screen/sameProps.js';
import { VirtualTerminal } from '../helpers/vt.js';

function Label({ text, color }: { text: string; color?: string }) {
  return <Text color={color}>{text}</Text>;
}

function Boxed({ title, lines }: { title: string; lines: string[] }) {
  return (
    <Box flexDirection="column" borderStyle="round" width={30} height={lines.length + 2}>
      <Text bold>{title}</Text>
      {lines.slice(1).map((l, i) => (
        <Text key={i}>{l}</Text>
      ))}
    </Box>
  );
}

/** A screen writing into a virtual terminal: what the screen believes and what a terminal shows must agree. */
function setup(columns = 60, rows = 12) {
  const vt = { current: new VirtualTerminal(columns, rows) };
  const writes: string[] = [];
  const screen = new Screen((text) => {
    writes.push(text);
    vt.current.feed(text);
  }, { columns, rows });
  const show = (regions: Region[]) => {
    screen.present(regions);
    screen.flush();
    expect(vt.current.text()).toBe(screen.text());
    return writes.splice(0).join('');
  };
  return { screen, vt, show };
}

const region = (id: string, x: number, y: number, width: number, height: number, element: React.ReactElement): Region => ({ id, x, y, width, height, element });

describe('the screen writer', () => {
  it('paints regions where they belong and agrees with a terminal fed its bytes', () => {
    const { screen, show } = setup();
    show([region('a', 0, 0, 20, 1, <Label text="header: 07:31:05" />), region('b', 2, 3, 30, 4, <Boxed title="Panel" lines={['x', 'one', 'two']} />)]);
    const lines = screen.text().split('\n');
    expect(lines[0]).toBe('header: 07:31:05');
    expect(lines[3]).toMatch(/^ {2}╭─+╮$/);
    expect(lines[4]).toBe('  │Panel                       │');
  });

  it('draws a region again only when its props change, and writes only the cells that changed', () => {
    const { screen, show } = setup();
    const panel = (n: number) => region('p', 0, 2, 30, 5, <Boxed title="Counters" lines={['x', `retransmits ${n}`, 'resets 0']} />);
    const header = (t: string) => region('h', 0, 0, 40, 1, <Label text={`nettriage │ sampled ${t}`} />);
    show([header('07:31:05'), panel(1)]);
    const drawn = screen.renderedRegions;
    const same = show([header('07:31:05'), panel(1)]);
    expect(same).toBe('');
    expect(screen.renderedRegions).toBe(drawn);
    const clock = show([header('07:31:06'), panel(1)]);
    expect(screen.renderedRegions).toBe(drawn + 1);
    // The cursor goes to the one changed digit and writes it.
    expect(clock).toBe('\x1b[1;28H6');
    const value = show([header('07:31:06'), panel(12)]);
    expect(value).toBe('\x1b[5;15H2');
  });

  it('leaves nothing behind when an overlay closes or text gets shorter', () => {
    const { show, screen } = setup();
    const base = [region('text', 0, 1, 40, 1, <Label text="a long line of text that stays" />)];
    show(base);
    show([...base, region('help', 5, 0, 30, 6, <Boxed title="Help" lines={['x', '? or Esc closes', 'q quits', '']} />)]);
    expect(screen.text()).toContain('Help');
    show(base);
    expect(screen.text().split('\n')[1]).toBe('a long line of text that stays');
    expect(screen.text()).not.toContain('Help');
    show([region('text', 0, 1, 40, 1, <Label text="short" />)]);
    expect(screen.text().split('\n')[1]).toBe('short');
  });

  it('keeps what lies on top when the region beneath it is drawn again', () => {
    const { screen, show } = setup();
    const panel = (n: number) => region('p', 0, 0, 30, 5, <Boxed title={`Sockets ${n}`} lines={['x', 'ESTAB 1          ', 'LISTEN 2         ']} />);
    const spark = region('spark', 12, 2, 10, 2, <Label text="" />);
    const overlay = { ...spark, element: undefined, lines: ['▁▂▃▄▅▆▇█', '████'] } as Region;
    show([panel(1), overlay]);
    expect(screen.text().split('\n')[2]).toContain('▁▂▃▄▅▆▇█');
    show([panel(2), overlay]);
    expect(screen.text().split('\n')[1]).toContain('Sockets 2');
    expect(screen.text().split('\n')[2]).toContain('▁▂▃▄▅▆▇█');
    expect(screen.text().split('\n')[3]).toContain('████');
  });

  it('agrees with a terminal, and with a screen drawn afresh, over a hundred frames of changing regions', () => {
    const { screen, show } = setup(40, 10);
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const line = (n: number) => Array.from({ length: n }, () => '▁▂▃▄▅▆▇█ab'[random(10)]).join('');
    const lines = (id: string, x: number, y: number, width: number, height: number): Region => ({ id, x, y, width, height, lines: Array.from({ length: height }, () => line(random(width + 1))) });
    let regions: Region[] = [];
    for (let frame = 0; frame < 100; frame++) {
      // Some regions change, some stay the same object; one overlaps another.
      regions = [
        frame % 3 === 0 || !regions[0] ? lines('header', 0, 0, 40, 1) : regions[0],
        frame % 2 === 0 || !regions[1] ? lines('spark', 5, 2, 20, 4) : regions[1],
        frame % 5 === 0 || !regions[2] ? lines('panel', 0, 5, 40, 5) : regions[2],
        lines('overlay', 10 + (frame % 3), 3, 8, 3),
      ];
      show(regions);
      const fresh = new Screen(() => undefined, { columns: 40, rows: 10 });
      fresh.present(regions);
      fresh.flush();
      expect(screen.text(), `frame ${frame}`).toBe(fresh.text());
    }
  });

  it('repaints everything on a resize', () => {
    const { screen, vt, show } = setup(40, 6);
    show([region('h', 0, 0, 40, 1, <Label text="wide header at forty columns" />)]);
    vt.current = new VirtualTerminal(30, 5);
    screen.resize({ columns: 30, rows: 5 });
    const bytes = show([region('h', 0, 0, 30, 1, <Label text="narrow header" />)]);
    expect(bytes.startsWith('\x1b[0m\x1b[H\x1b[2J')).toBe(true);
    expect(screen.text().split('\n')[0]).toBe('narrow header');
  });

  it('never passes an escape sequence or control character of its content to the terminal', () => {
    const { show } = setup();
    const bytes = show([region('evil', 0, 0, 50, 1, <Label text={'name\x1b]0;pwned\x07 and \x1b[2J and \x07 bell'} />)]);
    expect(bytes).not.toContain('\x1b]');
    expect(bytes.split('\x1b[2J')).toHaveLength(2); // only the writer's own clear, once, at the start
    expect(bytes).not.toContain('\x07');
  });

  it('handles wide characters without splitting them', () => {
    const { screen, show } = setup(30, 3);
    show([region('w', 0, 0, 30, 1, <Label text="进程 nginx 监听" />)]);
    show([region('w', 0, 0, 30, 1, <Label text="进程 httpd 监听" />)]);
    expect(screen.text().split('\n')[0]).toBe('进程 httpd 监听');
  });
});

describe('cells', () => {
  it('keeps colours per cell, in one canonical form', () => {
    const cells = blankCells(10, 1);
    lineToCells('\x1b[1m\x1b[31mab\x1b[39m\x1b[22mc', 10, cells, 0);
    expect(cells.chars.slice(0, 4)).toEqual(['a', 'b', 'c', ' ']);
    expect(cells.styles.slice(0, 3)).toEqual(['1;31', '1;31', '']);
    lineToCells('\x1b[38;5;208mx\x1b[0m', 10, cells, 0);
    expect(cells.styles[0]).toBe('38;5;208');
  });

  it('cuts at the edge and pads to the width', () => {
    const cells = blankCells(4, 1);
    lineToCells('abcdef', 4, cells, 0);
    expect(cells.chars).toEqual(['a', 'b', 'c', 'd']);
    lineToCells('漢字x', 4, cells, 0);
    expect(cells.chars).toEqual(['漢', '', '字', '']);
    lineToCells('漢字漢', 5, blankCells(5, 1), 0);
  });
});

describe('props equality', () => {
  it('compares models structurally', () => {
    expect(sameProps({ a: [1, { b: 2n }], m: new Map([['x', NaN]]) }, { a: [1, { b: 2n }], m: new Map([['x', NaN]]) })).toBe(true);
    expect(sameProps({ a: [1, 2] }, { a: [1, 3] })).toBe(false);
    expect(sameProps({ a: 1 }, { a: 1, b: undefined })).toBe(false);
    expect(sameProps(new Map([['x', 1]]), new Map([['y', 1]]))).toBe(false);
  });
});

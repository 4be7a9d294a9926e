-- Unit checks of tabguard.track's pure functions; run with nvim -l, exits 1 on failure.
vim.opt.rtp:prepend(arg[1])
local track = require('tabguard.track')

local failures = 0
local function eq(name, got, want)
  if not vim.deep_equal(got, want) then
    failures = failures + 1
    io.stdout:write(('FAIL %s: got %s, want %s\n'):format(name, vim.inspect(got), vim.inspect(want)))
  end
end

-- on_bytes form: start_row, start_col, old_end_row, old_end_col, new_end_row, new_end_col
-- (end rows relative to the start; an end col is relative to start_col only on the start row)
local function run(edits)
  local ranges = {}
  for _, e in ipairs(edits) do
    ranges = track.apply_edit(ranges, unpack(e))
  end
  return track.cover(ranges)
end

eq('one-line insert', run({ { 4, 8, 0, 0, 0, 31 } }), { { 4, 8 }, { 4, 39 } })
eq('two-line insert', run({ { 4, 7, 0, 0, 1, 12 } }), { { 4, 7 }, { 5, 12 } })
eq('space typed and deleted after it', run({ { 0, 2, 0, 0, 1, 3 }, { 1, 3, 0, 0, 0, 1 }, { 1, 3, 0, 1, 0, 0 } }),
  { { 0, 2 }, { 1, 3 } })
eq('replaces typed prefix', run({ { 2, 0, 0, 4, 0, 17 } }), { { 2, 0 }, { 2, 17 } })
eq('pure deletion', run({ { 1, 0, 0, 5, 0, 0 } }), nil)
eq('edit before it on the same line shifts it', run({ { 2, 10, 0, 0, 0, 12 }, { 2, 0, 0, 4, 0, 0 } }),
  { { 2, 6 }, { 2, 18 } })
eq('lines added above move it down', run({ { 5, 0, 0, 0, 1, 0 }, { 0, 0, 0, 0, 2, 0 } }), { { 0, 0 }, { 8, 0 } })
eq('outdent then insert (copilot.vim <Left><Del>)', run({ { 3, 3, 0, 1, 0, 0 }, { 3, 3, 0, 0, 0, 5 } }),
  { { 3, 3 }, { 3, 8 } })

vim.cmd('enew')
local buf = vim.api.nvim_get_current_buf()
vim.api.nvim_buf_set_lines(buf, 0, -1, false, { 'x = "é😀" + y' })
eq('utf-16 position', track.position(buf, { 0, 11 }, 'utf-16'), { line = 0, character = 8 })
eq('utf-8 position', track.position(buf, { 0, 11 }, 'utf-8'), { line = 0, character = 11 })

if failures > 0 then
  os.exit(1)
end
io.stdout:write('ok\n')
os.exit(0)

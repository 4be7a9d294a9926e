-- Watching a buffer while an assistant applies an accepted suggestion, to learn which range it
-- inserted. Accept functions apply their text later (from vim.schedule or from fed keys), sometimes
-- as several edits (insert, then a space typed and deleted), so we listen with on_bytes, keep every
-- inserted range in current coordinates, and report once the edits go quiet.
local M = {}

M.quiet_ms = 20 -- edits this close together belong to one accept
M.timeout_ms = 1000 -- no edit this long after the accept: nothing was inserted

local function before(a, b)
  return a[1] < b[1] or (a[1] == b[1] and a[2] < b[2])
end

local function same(a, b)
  return a[1] == b[1] and a[2] == b[2]
end

--- Where (row, byte col) `pos` goes after an edit replacing [s, old_end) by text ending at new_end.
--- Inside the replaced range it goes to the start of the new text, or to its end when `sticky`
--- (a range end grows over text inserted right at it).
local function move(pos, s, old_end, new_end, sticky)
  if before(pos, s) then
    return pos
  end
  if before(old_end, pos) then
    if pos[1] ~= old_end[1] then
      return { pos[1] + new_end[1] - old_end[1], pos[2] }
    end
    return { new_end[1], new_end[2] + pos[2] - old_end[2] }
  end
  if sticky or same(pos, old_end) then
    return new_end
  end
  return s
end

--- Pure: fold one on_bytes edit into `ranges` (list of {start, end} in (row, byte col)).
function M.apply_edit(ranges, start_row, start_col, old_rows, old_end_col, new_rows, new_end_col)
  local s = { start_row, start_col }
  local old_end = { start_row + old_rows, old_rows == 0 and start_col + old_end_col or old_end_col }
  local new_end = { start_row + new_rows, new_rows == 0 and start_col + new_end_col or new_end_col }
  local out = {}
  for _, r in ipairs(ranges) do
    local a, b = move(r[1], s, old_end, new_end, false), move(r[2], s, old_end, new_end, true)
    if before(a, b) then
      out[#out + 1] = { a, b }
    end
  end
  if before(s, new_end) then
    out[#out + 1] = { s, new_end }
  end
  return out
end

--- Pure: the smallest range covering all `ranges`, or nil.
function M.cover(ranges)
  local acc
  for _, r in ipairs(ranges) do
    if not acc then
      acc = { r[1], r[2] }
    else
      acc = { before(r[1], acc[1]) and r[1] or acc[1], before(acc[2], r[2]) and r[2] or acc[2] }
    end
  end
  return acc
end

--- (row, byte col) -> LSP Position in the client's position encoding.
function M.position(bufnr, pos, encoding)
  local ok, character = pcall(vim.lsp.util.character_offset, bufnr, pos[1], pos[2], encoding)
  return { line = pos[1], character = ok and character or pos[2] }
end

--- Watch `bufnr` for the edits of one accept; call on_done(byte_range or nil) once.
--- Returns cancel(): stop watching, reporting nothing (the accept turned out to insert nothing).
function M.watch(bufnr, on_done)
  local ranges, finished = {}, false
  local timer = assert(vim.uv.new_timer())
  local function finish()
    if finished then
      return
    end
    finished = true
    timer:stop()
    timer:close()
    on_done(M.cover(ranges))
  end
  timer:start(M.timeout_ms, 0, vim.schedule_wrap(finish))
  vim.api.nvim_buf_attach(bufnr, false, {
    on_bytes = function(_, _, _, sr, sc, _, oer, oec, _, ner, nec)
      if finished then
        return true -- detach
      end
      ranges = M.apply_edit(ranges, sr, sc, oer, oec, ner, nec)
      timer:stop()
      timer:start(M.quiet_ms, 0, vim.schedule_wrap(finish))
    end,
    on_detach = function()
      vim.schedule(finish)
    end,
  })
  return function()
    ranges = {}
    finish()
  end
end

return M

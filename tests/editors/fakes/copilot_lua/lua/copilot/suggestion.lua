-- Test double for copilot.lua's `copilot.suggestion` module, with the same accept contract: the
-- accepted text is applied later, from a scheduled callback, at the cursor.
local M = { pending = nil }

--- Test helper: the suggestion the "assistant" is showing.
function M.set(text)
  M.pending = text
end

function M.is_visible()
  return M.pending ~= nil
end

function M.accept()
  local text = M.pending
  if not text then
    return
  end
  M.pending = nil
  local buf = vim.api.nvim_get_current_buf()
  local row, col = unpack(vim.api.nvim_win_get_cursor(0))
  vim.schedule(function()
    vim.api.nvim_buf_set_text(buf, row - 1, col, row - 1, col, vim.split(text, '\n', { plain = true }))
  end)
end

return M

# The cutover tied to a reviewed change of one value: when change_window goes
# from "" to a change ticket, the plan shows "Actions: 1 to invoke" and the
# apply runs the cutover after recording the ticket.
variable "change_window" {
  description = "The approved change during which the cutover runs, such as CHG-1234; empty until then."
  type        = string
  default     = ""
}

resource "terraform_data" "cutover_window" {
  input = var.change_window

  lifecycle {
    action_trigger {
      events    = [after_update]
      condition = var.change_window != ""
      actions   = [action.atlasmig_cutover.orders]
    }
  }
}
